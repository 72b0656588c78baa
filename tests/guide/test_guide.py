"""Tests for the guided skills: the data, lookup, the timed player, readback, real espeak-ng."""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from companion.data import read_text
from companion.errors import CompanionError
from companion.guide.answers import opposite_action
from companion.guide.finder import difflib_similarity
from companion.guide.model import EMOTIONS, GuideError, Repeat, Skill
from companion.guide.player import Practice, estimate_speech, play, questions, readback, timeline
from companion.guide.scripts import DATA_FILE, builtin, find_skill, load, suggest
from tests.guide.fakes import FakeClock

GUIDE = load()
SKILLS = {s.id: s for s in GUIDE.skills}
TIMED = {
    "paced_breathing",
    "paired_relaxation",
    "temperature",
    "intense_exercise",
    "stop",
    "self_soothe",
    "mindfulness_of_current_emotion",
}
INTERACTIVE = {"pros_and_cons", "check_the_facts", "opposite_action"}


# --- Fakes: the Speaker and Controls a caller would pass in (the clock: tests/guide/fakes.py) ----------------------------


class RecordingSpeaker:
    """Records (clock time, line); speaking takes `speaking(text)` seconds of clock time."""

    def __init__(self, clock: FakeClock, speaking=lambda text: 0.0, interrupt_at: int = 0):
        self.clock, self.speaking, self.interrupt_at = clock, speaking, interrupt_at
        self.lines: list[tuple[float, str]] = []

    def say(self, text: str) -> None:
        if self.interrupt_at and len(self.lines) + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        self.lines.append((self.clock.time, text))
        self.clock.time += self.speaking(text)

    def texts(self) -> list[str]:
        return [text for _, text in self.lines]

    def times_of(self, text: str) -> list[float]:
        return [t for t, said in self.lines if said == text]


class ScriptedControls:
    """Hands out each (seconds after start, command) once its time has come."""

    def __init__(self, clock: FakeClock, events: list[tuple[float, str]]) -> None:
        self.clock, self.start, self.events = clock, clock.time, sorted(events)
        self.polls = 0

    def poll(self) -> str | None:
        self.polls += 1
        if self.events and self.events[0][0] <= self.clock.time - self.start:
            return self.events.pop(0)[1]
        return None


def run(skill_id: str, events=(), minutes=None, speaking=lambda text: 0.0, **kw):
    clock = FakeClock()
    speaker = RecordingSpeaker(clock, speaking, **kw)
    controls = ScriptedControls(clock, list(events))
    practice = play(
        SKILLS[skill_id], minutes=minutes, speaker=speaker, clock=clock, controls=controls
    )
    return practice, speaker, clock


def cycle_of(skill: Skill) -> float:
    block = next(p for p in skill.steps if isinstance(p, Repeat))
    return sum((s.count or s.seconds or 0) + s.pause for s in block.steps)


# --- The data file ----------------------------------------------------------------------------


def test_data_file_validates_with_enough_skills():
    assert len(GUIDE.skills) >= 10
    assert TIMED <= {s.id for s in GUIDE.skills if s.kind == "timed"}
    assert INTERACTIVE <= {s.id for s in GUIDE.skills if s.kind == "interactive"}
    assert GUIDE.end_question == "How much did that help, zero to ten?"


def test_header_says_the_wording_is_ours_and_needs_review():
    head = " ".join(read_text(DATA_FILE)[:600].lower().replace("#", "").split())
    assert "own" in head and "clinician" in head and "not copied" in head


def spoken_lines(skill: Skill) -> list[str]:
    lines = [skill.caution or "", skill.description, *skill.readback]
    for part in skill.steps:
        steps = part.steps if isinstance(part, Repeat) else (part,)
        lines += [getattr(s, "text", "") for s in steps] + [getattr(s, "hint", "") for s in steps]
    return [line for line in lines if line]


@pytest.mark.parametrize("skill", GUIDE.skills, ids=lambda s: s.id)
def test_every_sentence_is_short_enough_to_speak(skill):
    for line in spoken_lines(skill):
        for sentence in re.split(r"(?<=[.?!])\s+", line):
            assert len(sentence.split()) <= 20, sentence
            assert "{" not in line or skill.kind == "interactive"


@pytest.mark.parametrize(
    "skill_id, words",
    [
        (
            "temperature",
            ["heart", "low blood pressure", "eating disorder", "beta blockers", "doctor"],
        ),
        ("intense_exercise", ["heart", "eating disorder", "doctor"]),
    ],
)
def test_risky_skills_carry_a_caution(skill_id, words):
    caution = SKILLS[skill_id].caution.lower()
    assert all(word in caution for word in words)


def test_paced_breathing_breathes_out_longer_than_in_six_a_minute():
    block = next(p for p in SKILLS["paced_breathing"].steps if isinstance(p, Repeat))
    breathe_in, breathe_out = block.steps
    assert (breathe_in.count, breathe_out.seconds) == (4, 6.0)
    assert 60 / cycle_of(SKILLS["paced_breathing"]) == 6.0


TIMED_HEAD = """schema_version = 1
end_question = "Better?"
[[skill]]
id = "calm"
name = "Calm"
kind = "timed"
description = "d"
"""
HELLO = '[[skill.step]]\ntext = "Hello."\n'
QUESTION = '[[skill.step]]\nid = "q"\nquestion = "Q?"\nhint = "h"\n'
OTHER = '[[skill]]\nid = "other"\nname = "Other"\nkind = "timed"\ndescription = "d"\n'

# case: (TOML after the head, what the message must say)
BAD_TIMED = {
    "unknown top-level key": ('colour = "blue"\n' + HELLO, ["unknown key 'colour'"]),
    "unknown skill key": (HELLO + OTHER + "speed = 2\n", ["skill 'other'", "unknown key 'speed'"]),
    "missing text": (HELLO + "[[skill.step]]\npause = 2\n", ["step 2", "missing text"]),
    "negative pause": (
        HELLO + '[[skill.step]]\ntext = "Hi."\npause = -1\n',
        ["step 2", "pause must be", "-1"],
    ),
    "unknown step kind": (HELLO + QUESTION + 'kind = "essay"\n', ["step 2", "kind 'essay'"]),
    "kind on a spoken step": (
        HELLO + '[[skill.step]]\ntext = "Hi."\nkind = "free"\n',
        ["step 2", "kind 'free' is for question steps"],
    ),
    "duplicate skill id": (
        HELLO + OTHER.replace("other", "calm") + HELLO,
        ["duplicate skill id 'calm'"],
    ),
    "alias used twice": (
        HELLO + OTHER + 'aliases = ["Calm!"]\n' + HELLO,
        ["skill 'other'", "'calm'", "also used by skill 'calm'"],
    ),
    "minutes without repeat": ("minutes = 2\n" + HELLO, ["minutes is set but there is no repeat"]),
    "repeat without minutes": (
        HELLO + '[[skill.step]]\nrepeat = [{ text = "In", count = 4 }]\n',
        ["a repeat block needs minutes"],
    ),
    "endless pause": (HELLO + '[[skill.step]]\ntext = "Hi."\npause = inf\n', ["pause must be"]),
    "bad count": (HELLO + '[[skill.step]]\ntext = "In"\ncount = 40\n', ["count must be"]),
    "bad tone": (HELLO + '[[skill.step]]\ntext = "In"\ntone = "gong"\n', ["unknown tone 'gong'"]),
    "question in a timed skill": (HELLO + QUESTION + 'kind = "free"\n', ["has no questions"]),
    "not toml": ("[[skill\n", ["not valid TOML"]),
}


@pytest.mark.parametrize("case", BAD_TIMED, ids=str)
def test_bad_files_raise_guide_error_saying_where_and_what(tmp_path, case):
    body, expected = BAD_TIMED[case]
    path = tmp_path / "bad.toml"
    path.write_text(TIMED_HEAD + body)
    with pytest.raises(GuideError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    if case not in ("unknown top-level key", "not toml"):
        assert "skill 'calm'" in message or "skill 'other'" in message
    for part in expected:
        assert part in message


INTERACTIVE_HEAD = TIMED_HEAD.replace('"timed"', '"interactive"')
ASK_A = '[[skill.step]]\nid = "a"\nquestion = "Q?"\nhint = "h"\nkind = "free"\n'

BAD_INTERACTIVE = [
    ('readback = ["You said {missing}."]\n' + ASK_A, "readback line 1: '{missing}' is not a"),
    ('readback = ["{a}"]\n' + ASK_A + ASK_A, "duplicate question id 'a'"),
    ('readback = ["Hi."]\n' + HELLO, "needs at least one question step"),
    ("readback = []\n" + ASK_A, "needs readback lines"),
    (
        'lookup = "a"\nreadback = ["{urge}"]\n' + ASK_A + '[skill.actions.boredom]\nurge = "u"\n',
        "actions.boredom: unknown emotion id",
    ),
    ('readback = ["Hi."]\n' + ASK_A.replace('hint = "h"\n', ""), "step 1: missing hint"),
]


@pytest.mark.parametrize("body, expected", BAD_INTERACTIVE)
def test_bad_interactive_skills(tmp_path, body, expected):
    path = tmp_path / "bad.toml"
    path.write_text(INTERACTIVE_HEAD + body)
    with pytest.raises(GuideError, match=re.escape(expected)) as caught:
        load(path)
    assert "skill 'calm'" in str(caught.value)


def test_missing_file_is_a_guide_error(tmp_path):
    with pytest.raises(GuideError, match="cannot read the skills file"):
        load(tmp_path / "nope.toml")


def test_the_packaged_file_is_read_through_companion_data_once():
    assert GUIDE.source == f"(built-in) {DATA_FILE}"
    assert builtin() is builtin() and builtin().skills == GUIDE.skills
    assert issubclass(GuideError, CompanionError)  # the CLI turns it into a message and a code


# --- Finding a skill by what someone said -----------------------------------------------------

LOOKUPS = [
    ("paste breathing", "paced_breathing"),
    ("past breathing", "paced_breathing"),
    ("paced breeding", "paced_breathing"),
    ("let's do some slow breathing", "paced_breathing"),
    ("breathing", "paced_breathing"),
    ("the stop skill", "stop"),
    ("STOP", "stop"),
    ("cold water", "temperature"),
    ("gold water", "temperature"),
    ("temperature skill", "temperature"),
    ("muscle relaxation", "paired_relaxation"),
    ("exercise", "intense_exercise"),
    ("self soothing", "self_soothe"),
    ("five senses", "self_soothe"),
    ("riding a wave", "mindfulness_of_current_emotion"),
    ("I want to ride the wave", "mindfulness_of_current_emotion"),
    ("half smile", "willing_hands"),
    ("check the fax", "check_the_facts"),
    ("pros and cons please", "pros_and_cons"),
    ("pros and cones", "pros_and_cons"),
    ("opposite", "opposite_action"),
    ("opposite axion", "opposite_action"),
    ("banana bread", None),
    ("nothing", None),
    ("the first one", None),
    ("all of them", None),
    ("something else", None),
    ("yeah go on", None),
    ("tell me a joke", None),
    ("what is the time", None),
    ("", None),
]


@pytest.mark.parametrize("similarity", [None, difflib_similarity], ids=["default", "difflib"])
@pytest.mark.parametrize("said, skill_id", LOOKUPS)
def test_find_skill(said, skill_id, similarity):
    found = find_skill(said, GUIDE.skills, similarity)
    assert (found.id if found else None) == skill_id


def test_suggest_lists_skills_and_near_misses():
    unknown = suggest("banana bread", GUIDE.skills)
    assert "don't know a skill called 'banana bread'" in unknown
    assert all(s.name in unknown for s in GUIDE.skills)
    assert "Did you mean Check the facts" in suggest("chuck it", GUIDE.skills)


# --- The timed player -------------------------------------------------------------------------


def test_paced_breathing_one_minute_lasts_a_minute_at_six_breaths():
    practice, speaker, clock = run("paced_breathing", minutes=1)
    cycle = cycle_of(SKILLS["paced_breathing"])
    assert practice.completed and practice.stopped_by is None
    assert abs(practice.seconds - 60) <= cycle
    assert clock.time - practice.started == pytest.approx(practice.seconds)
    cues = speaker.times_of("Breathe in")
    per_minute = 60 / float(np.mean(np.diff(cues)))
    assert 5 <= per_minute <= 6.5
    assert speaker.texts()[-1] == "Notice how your body feels now."
    in_breath = [t for t, text in speaker.lines if text in ("Breathe in", "two", "three", "four")]
    assert np.allclose(np.diff(in_breath[:4]), 1.0)


@pytest.mark.parametrize("minutes", [1, 3, 5])
def test_length_follows_minutes_with_real_length_speech(minutes):
    practice, _, _ = run("paced_breathing", minutes=minutes, speaking=estimate_speech)
    assert abs(practice.seconds - 60 * minutes) <= cycle_of(SKILLS["paced_breathing"])


@pytest.mark.parametrize("skill_id", sorted(TIMED | {"willing_hands"}))
def test_player_follows_the_timeline_exactly(skill_id):
    practice, speaker, _ = run(skill_id, speaking=estimate_speech)
    start = practice.started
    played = [(round(t - start, 3), text) for t, text in speaker.lines]
    assert played == timeline(SKILLS[skill_id])
    assert practice.completed


def test_timers_keep_exact_time_and_caution_comes_first():
    cold = timeline(SKILLS["temperature"])
    assert cold[0][1] == SKILLS["temperature"].caution
    at = {text.split(".")[0].split(",")[0]: t for t, text in cold}
    assert at["Thirty"] - at["Face in the water"] == pytest.approx(30)
    exercise = {text: t for t, text in timeline(SKILLS["intense_exercise"])}
    assert exercise["Stop. Well done."] - exercise["Start now."] == pytest.approx(60)


def test_show_and_tone_receive_lines_and_bells():
    clock, shown, tones = FakeClock(), [], []
    speaker = RecordingSpeaker(clock)
    play(SKILLS["temperature"], speaker=speaker, clock=clock, show=shown.append, tone=tones.append)
    assert shown == speaker.texts() and tones == ["bell"]


def test_stop_ends_early_after_the_current_line():
    practice, speaker, _ = run("paced_breathing", events=[(25, "stop")], minutes=3)
    assert not practice.completed and practice.stopped_by == "stop"
    assert practice.seconds == pytest.approx(25, abs=0.11)
    assert all(t - practice.started <= 25 for t, _ in speaker.lines)


def test_pause_waits_silently_until_resume_and_does_not_count():
    plain, plain_speaker, _ = run("self_soothe")
    practice, speaker, clock = run("self_soothe", events=[(10, "pause"), (300, "resume")])
    assert practice.completed
    assert practice.seconds == pytest.approx(plain.seconds, abs=0.11)
    assert clock.time - practice.started == pytest.approx(plain.seconds + 290, abs=0.2)
    assert speaker.texts() == plain_speaker.texts()  # no nagging while paused
    assert not [t for t, _ in speaker.lines if 10 < t - practice.started < 300]


def test_pause_then_stop():
    practice, _, _ = run("self_soothe", events=[(10, "pause"), (50, "stop")])
    assert practice.stopped_by == "stop" and practice.seconds == pytest.approx(10, abs=0.11)


def test_slower_stretches_later_pauses_and_breaths():
    practice, speaker, _ = run("paced_breathing", events=[(5, "slower")], minutes=3)
    cues = speaker.times_of("Breathe in")
    assert np.allclose(np.diff(cues), 12.5)
    assert practice.completed and abs(practice.seconds - 180) <= 12.5


def test_again_repeats_the_current_step():
    _, speaker, _ = run("stop", events=[(3, "again")])
    texts = speaker.texts()
    step = "S. Stop. Freeze where you are. Don't act and don't speak yet."
    assert texts.count(step) == 2
    assert texts[texts.index(step) + 1] == step


def test_next_skips_the_rest_of_the_pause():
    _, plain, _ = run("self_soothe")
    _, skipped, _ = run("self_soothe", events=[(5, "next")])
    sight = "Sight. Find something calm or pleasant to look at. The sky, a plant, a photo."
    sound = "Sound. Listen for a soothing sound, or put on music you love."
    assert skipped.times_of(sound)[0] - skipped.times_of(sight)[0] == pytest.approx(3, abs=0.11)
    assert plain.times_of(sound)[0] - plain.times_of(sight)[0] == pytest.approx(20)


def test_keyboard_interrupt_from_the_speaker_stops_the_practice():
    practice, speaker, _ = run("paced_breathing", interrupt_at=3)
    assert isinstance(practice, Practice)
    assert practice.stopped_by == "interrupt" and not practice.completed
    assert practice.steps_done == 2 and len(speaker.lines) == 2


def test_interactive_skills_and_bad_minutes_are_refused():
    clock = FakeClock()
    with pytest.raises(GuideError, match="interactive"):
        play(SKILLS["pros_and_cons"], speaker=RecordingSpeaker(clock), clock=clock)
    with pytest.raises(GuideError, match="above zero"):
        play(SKILLS["paced_breathing"], minutes=0, speaker=RecordingSpeaker(clock), clock=clock)


# --- Interactive skills: questions and readback -----------------------------------------------


def test_pros_and_cons_asks_four_boxes_and_reads_them_back():
    asked = questions(SKILLS["pros_and_cons"])
    assert [q.id for q in asked] == ["urge", "act_pros", "act_cons", "resist_pros", "resist_cons"]
    assert asked[0].kind == "urges" and all(q.hint for q in asked)
    lines = readback(
        SKILLS["pros_and_cons"],
        {
            "urge": "to drink",
            "act_pros": "quick relief.",
            "act_cons": "hangover, shame",
            "resist_pros": "keep my streak",
            "resist_cons": None,
            "extra": "ignored",
        },
    )
    assert "Acting on the urge, the upsides you named: quick relief." in lines
    assert (
        "The urge: to drink." in lines and "Not acting on it, the upsides: keep my streak." in lines
    )
    assert not [line for line in lines if "None" in line or "{" in line or ".." in line]
    assert not [line for line in lines if "what would be hard" in line]


def test_readback_with_no_answers_keeps_only_fixed_lines():
    assert readback(SKILLS["check_the_facts"], {}) == ["Here's what you worked out."]
    lines = readback(SKILLS["check_the_facts"], {"emotion": "fear", "intensity": "7", "fits": " "})
    assert lines[1:] == ["The emotion: fear.", "How strong: 7 out of ten."]


@pytest.mark.parametrize("emotion", sorted(EMOTIONS - {"joy"}))
def test_opposite_action_maps_each_emotion(emotion):
    skill = SKILLS["opposite_action"]
    action = opposite_action(skill, emotion)
    assert action is not None and action.emotion == emotion and action.urge and action.opposite
    lines = readback(skill, {"emotion": emotion, "plan": "text my sister"})
    assert f"You named {emotion}." in lines
    assert f"The opposite is to {action.opposite}." in lines
    assert "Your step for the next hour: text my sister." in lines


@pytest.mark.parametrize(
    "said, emotion",
    [
        ("I'm so angry", "anger"),
        ("scared and ashamed", "fear"),
        ("really down today", "sadness"),
        ("jealous", "jealousy"),
        ("guilty", "guilt"),
        ("happy", None),
        ("joy", None),
    ],
)
def test_opposite_action_understands_everyday_words(said, emotion):
    action = opposite_action(SKILLS["opposite_action"], said)
    assert (action.emotion if action else None) == emotion


def test_readback_without_a_matching_emotion_drops_the_table_lines():
    lines = readback(SKILLS["opposite_action"], {"emotion": "joy"})
    assert not [line for line in lines if "urge" in line or "opposite is" in line]


# --- Real engine: espeak-ng's voice, the player's silences, timing measured from the audio ------

RATE = 22050


class EspeakTrack:
    """A Speaker and Clock at once: each line is rendered by espeak-ng, each sleep is silence."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.samples = folder, 0
        self.parts: list[np.ndarray] = []
        self.cache: dict[str, np.ndarray] = {}

    def now(self) -> float:
        return self.samples / RATE

    def sleep(self, seconds: float) -> None:
        self._add(np.zeros(round(seconds * RATE), dtype=np.int16))

    def say(self, text: str) -> None:
        if text not in self.cache:
            path = self.folder / f"line{len(self.cache)}.wav"
            subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
            with wave.open(str(path)) as wav:
                assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (RATE, 2, 1)
                self.cache[text] = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
        self._add(self.cache[text])

    def _add(self, chunk: np.ndarray) -> None:
        self.parts.append(chunk)
        self.samples += len(chunk)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.parts).astype(np.float32) / 32768


def speech_segments(
    audio: np.ndarray, frame: float = 0.01, bridge: float = 0.2
) -> list[tuple[float, float]]:
    """(start, end) of speech, from a 10 ms energy envelope; gaps under `bridge` s are joined."""
    n = int(frame * RATE)
    frame = n / RATE  # whole samples per frame, so frame times do not drift
    rms = np.sqrt(np.mean(audio[: len(audio) // n * n].reshape(-1, n) ** 2, axis=1))
    segments: list[list[float]] = []
    for i in np.flatnonzero(rms > 0.05 * rms.max()):
        if segments and i * frame - segments[-1][1] <= bridge:
            segments[-1][1] = (i + 1) * frame
        else:
            segments.append([i * frame, (i + 1) * frame])
    return [(start, end) for start, end in segments]


def breathe_in_cues(segments: list[tuple[float, float]]) -> list[float]:
    """Speech after a long quiet (>= 1.5 s) then three more onsets a second apart: the counted
    in-breath, "Breathe in, two, three, four"."""
    starts = [start for start, _ in segments]
    return [
        t
        for i, t in enumerate(starts)
        if t - (segments[i - 1][1] if i else -10.0) >= 1.5
        and all(any(abs(o - t - k) < 0.15 for o in starts[i + 1 : i + 5]) for k in (1, 2, 3))
    ]


@pytest.mark.real_engine
@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed here (Debian: apt-get install espeak-ng)",
)
def test_real_espeak_voice_keeps_the_breathing_cycle(tmp_path):
    skill = SKILLS["paced_breathing"]
    track = EspeakTrack(tmp_path)
    practice = play(skill, minutes=1, speaker=track, clock=track)
    audio = track.audio()
    assert practice.completed and abs(len(audio) / RATE - 60) <= cycle_of(skill)
    cues = breathe_in_cues(speech_segments(audio))
    scripted = [t for t, text in timeline(skill, 1) if text == "Breathe in"]
    assert len(cues) == len(scripted) >= 3
    measured = float(np.mean(np.diff(cues)))
    script_cycle = cycle_of(skill)
    print(f"espeak-ng breathing cycle: measured {measured:.3f} s, script {script_cycle:.3f} s")
    assert abs(measured - script_cycle) / script_cycle < 0.10
    assert 5 <= 60 / measured <= 6.5

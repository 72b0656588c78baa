"""`companion skill` through the command line: naming a skill, asking which, the saved practice,
Ctrl-C, crisis words inside a skill, and the terminal keys."""

from __future__ import annotations

import io
import json
import os
import pty
import termios

import numpy as np
import pytest

from companion.cli.main import Context, build_parser, main
from companion.cli.skill import run_skill
from companion.errors import ExitCode, SessionInterrupted
from companion.guide.keys import KeyControls, terminal_keys
from companion.guide.player import NoControls, estimate_speech, timeline
from companion.guide.scripts import builtin
from companion.journal.practice_render import practice_lines
from companion.journal.practices import PracticeStore, practice_rows
from companion.safety.policy import load as load_policy
from tests.fakes import RecordingSpeaker, ScriptedAnswers, StepClock, run_cli
from tests.guide.fakes import FakeClock

SKILLS = {s.id: s for s in builtin().skills}
SKILLS_TONES = builtin().tones
PROS_AND_CONS = "to drink\nquick relief\na hangover\nkeep my streak\nsitting with it\n7\n"


class StampedOut(io.StringIO):
    """stdout that notes the fake clock's time of every line written."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock, self.lines = clock, []

    def write(self, text: str) -> int:
        self.lines += [(self.clock.time, line) for line in text.splitlines() if line.strip()]
        return super().write(text)


class VoiceSpeaker(RecordingSpeaker):
    """A speaker whose lines take their speaking time on the fake clock."""

    def __init__(self, clock: FakeClock, interrupt_at: int = 0) -> None:
        super().__init__()
        self.clock, self.interrupt_at = clock, interrupt_at

    def say(self, text: str) -> None:
        if self.interrupt_at and len(self.said) + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        super().say(text)
        self.clock.time += estimate_speech(text)


def run_fast(home, argv, stdin=b"", speaker=None):
    """`companion skill ...` through run_skill with a fake clock: a minute takes no time."""
    clock = FakeClock()
    args = build_parser()[0].parse_args(["skill", *argv])
    ctx = Context(env={"COMPANION_HOME": str(home)}, stdin=io.BytesIO(stdin),
                  stdout=StampedOut(clock), stderr=io.StringIO(),
                  make_speaker=(lambda voice: speaker) if speaker else None)
    code = run_skill(args, ctx, clock=clock, now=StepClock())
    return code, ctx.stdout, clock


def test_one_minute_of_paced_breathing_in_text_keeps_the_timings(companion_home):
    code, out, _ = run_fast(companion_home, ["paste breathing", "--minutes", "1", "--typed",
                                             "--no-speak"], b"6\n")
    assert code == 0
    start = out.lines[0][0]
    shown = [(round(t - start, 3), line) for t, line in out.lines]
    expected = timeline(SKILLS["paced_breathing"], 1)
    assert shown[:len(expected)] == expected
    assert "How much did that help, zero to ten?" in out.getvalue()
    [row] = practice_rows(companion_home)
    assert (row["skill"], row["status"], row["helped"]) == ("paced_breathing", "completed", 6)
    assert abs(row["minutes"] - 1) <= 10 / 60
    path = PracticeStore(companion_home).path(row["id"])
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["minutes_asked"] == 1
    assert "Paced breathing" in practice_lines(companion_home)[1]


def test_spoken_guidance_goes_to_the_speaker(companion_home):
    clock_speaker = VoiceSpeaker(FakeClock())
    code, _, _ = run_fast(companion_home, ["STOP", "--typed"], b"8\n", speaker=clock_speaker)
    assert code == 0
    assert "S. Stop. Freeze where you are. Don't act and don't speak yet." in clock_speaker.said
    assert clock_speaker.said[-1] == "Your practice is saved."


def test_ctrl_c_in_a_timed_skill_saves_it_as_stopped(companion_home):
    speaker = VoiceSpeaker(FakeClock(), interrupt_at=3)
    with pytest.raises(SessionInterrupted):
        run_fast(companion_home, ["paced breathing", "--typed"], speaker=speaker)
    [row] = practice_rows(companion_home)
    assert row["status"] == "stopped" and row["stopped_by"] == "interrupt"


class Output:
    """The speaker's audio output: keeps each chunk, which takes its length on the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock, self.chunks = clock, []

    def play(self, chunk) -> None:
        self.chunks.append((self.clock.time, chunk))
        self.clock.time += chunk.seconds


def test_tones_sound_through_the_speakers_output_instead_of_counting(companion_home):
    clock = FakeClock()
    speaker = VoiceSpeaker(clock)
    speaker.player = Output(clock)
    args = build_parser()[0].parse_args(["skill", "paced breathing", "--minutes", "1",
                                         "--tones", "--typed"])
    ctx = Context(env={"COMPANION_HOME": str(companion_home)}, stdin=io.BytesIO(b"6\n"),
                  stdout=StampedOut(clock), stderr=io.StringIO(),
                  make_speaker=lambda voice: speaker)
    assert run_skill(args, ctx, clock=clock, now=StepClock()) == 0
    assert "two" not in speaker.said and "Breathe in" not in speaker.said
    assert "Breathe in" in ctx.stdout.getvalue()  # on screen, where the tone stands for it
    starts = [t for t, chunk in speaker.player.chunks
              if chunk.seconds == pytest.approx(SKILLS_TONES["in"].seconds, abs=1e-3)]
    assert len(starts) >= 3 and all(abs(d - 10.0) < 1e-6 for d in np.diff(starts))
    [saved] = PracticeStore(companion_home).records()
    assert saved["tones"] is True and saved["helped"] == 6 and ctx.stderr.getvalue() == ""


def test_tones_without_a_sound_output_count_aloud_and_say_so(companion_home):
    speaker = VoiceSpeaker(FakeClock())
    code, _, _ = run_fast(companion_home, ["paced breathing", "--minutes", "1", "--tones",
                                           "--typed"], b"6\n", speaker=speaker)
    assert code == 0 and "two" in speaker.said
    assert PracticeStore(companion_home).records()[0]["tones"] is False


def test_tones_note_in_text_mode(companion_home):
    clock = FakeClock()
    args = build_parser()[0].parse_args(["skill", "stop", "--tones", "--typed", "--no-speak"])
    ctx = Context(env={"COMPANION_HOME": str(companion_home)}, stdin=io.BytesIO(b"5\n"),
                  stdout=StampedOut(clock), stderr=io.StringIO())
    assert run_skill(args, ctx, clock=clock, now=StepClock()) == 0
    assert "tones need sound output; counting aloud instead" in ctx.stderr.getvalue()


def test_a_bell_sounds_through_the_output_or_is_marked_on_screen(companion_home):
    clock = FakeClock()
    speaker = VoiceSpeaker(clock)
    speaker.player = Output(clock)
    code, _, _ = run_fast(companion_home, ["exercise", "--typed"], b"yes\n5\n", speaker=speaker)
    [(_, bell)] = speaker.player.chunks
    assert code == 0 and bell.seconds == pytest.approx(SKILLS_TONES["bell"].seconds, abs=1e-3)
    code, out, _ = run_fast(companion_home, ["exercise", "--typed", "--no-speak"], b"yes\n5\n")
    assert code == 0 and "  (bell)" in out.getvalue()


def test_an_interactive_skill_through_main(companion_home):
    code, out, err = run_cli(["skill", "pros", "and", "cons", "--typed", "--no-speak"],
                             companion_home, PROS_AND_CONS)
    assert code == 0, err
    assert "Acting on the urge, the upsides you named: quick relief." in out
    [saved] = PracticeStore(companion_home).records()
    assert saved["answers"]["act_cons"]["text"] == "a hangover" and saved["helped"] == 7
    assert "Pros and cons" in "\n".join(practice_lines(companion_home))


def test_spoken_interactive_skill(companion_home):
    speaker = RecordingSpeaker()
    code, _, _ = run_cli(["skill", "opposite action", "--typed"], companion_home,
                         "scared\nno\ncall my friend\n5\n", speaker=speaker)
    assert code == 0
    assert "The opposite is to go toward what you fear, step by step, again and again, when " \
           "it is safe." in speaker.said


def test_unknown_skill_lists_the_skills(companion_home):
    code, out, err = run_cli(["skill", "banana", "bread"], companion_home)
    assert code == ExitCode.USAGE and out == ""
    assert "I don't know a skill called 'banana bread'" in err
    assert all(s.name in err for s in SKILLS.values())
    code, _, err = run_cli(["skill", "chuck", "it"], companion_home)
    assert code == ExitCode.USAGE and "Did you mean Check the facts?" in err
    assert not (companion_home / "practices").exists()


@pytest.mark.parametrize("minutes", ["0", "-1", "61"])
def test_bad_minutes(companion_home, minutes):
    code, _, err = run_cli(["skill", "paced breathing", "--minutes", minutes], companion_home)
    assert code == ExitCode.USAGE and "--minutes" in err


def test_list_and_help(companion_home):
    code, out, _ = run_cli(["skill", "--list"], companion_home)
    assert code == 0 and len(out.splitlines()) == len(SKILLS) >= 10
    code, out, _ = run_cli(["--help"], companion_home)
    assert code == 0 and "skill" in out


def test_no_name_asks_which_offering_the_last_sessions_suggestions(companion_home):
    sessions = companion_home / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "abcd1234.json").write_text(json.dumps({
        "schema_version": 1, "id": "abcd1234", "started_at": "2026-11-26T20:00:00+00:00",
        "answers": {}, "prompts": [], "suggested_skills": ["tipp", "stop", "dear_man"]}))
    code, out, err = run_cli(["skill", "--typed", "--no-speak"], companion_home,
                             "opposite\nangry\nyes\nwalk away\n4\n")
    assert code == 0, err
    assert "Which skill would you like? You can say paced breathing, STOP, or another skill." \
        in out
    assert practice_rows(companion_home)[0]["skill"] == "opposite_action"


def test_no_name_and_nothing_chosen_saves_nothing(companion_home):
    code, out, _ = run_cli(["skill", "--typed", "--no-speak"], companion_home, "nothing\n")
    assert code == 0 and "check the facts or opposite action" in out
    assert practice_rows(companion_home) == []


def test_input_ending_midway(companion_home):
    code, _, _ = run_cli(["skill", "check the facts", "--typed", "--no-speak"], companion_home,
                         "fear\n")
    assert code == ExitCode.INCOMPLETE
    assert practice_rows(companion_home)[0]["status"] == "stopped"


def test_ctrl_c_in_an_interactive_skill_through_main(companion_home):
    class Interrupted(ScriptedAnswers):
        def listen(self, prompt):
            if prompt.id == "pros_and_cons.act_cons":
                raise KeyboardInterrupt
            return super().listen(prompt)

    out, err = io.StringIO(), io.StringIO()
    code = main(["skill", "pros and cons", "--typed", "--no-speak"],
                env={"COMPANION_HOME": str(companion_home)}, stdin=io.BytesIO(), stdout=out,
                stderr=err, make_source=lambda: Interrupted("to drink", "relief"))
    assert code == ExitCode.INTERRUPTED and "saved as stopped" in err.getvalue()
    [saved] = PracticeStore(companion_home).records()
    assert saved["status"] == "stopped" and saved["stopped_by"] == "interrupt"
    assert saved["answers"]["act_pros"]["text"] == "relief"


def test_crisis_words_in_pros_and_cons_get_the_safety_response(companion_home):
    code, out, _ = run_cli(["skill", "pros and cons", "--typed", "--no-speak"], companion_home,
                           "to kill myself\nyes\nrelief\nregret\nstaying alive\nthe pain\n3\n")
    assert code == 0
    policy = load_policy()
    assert policy.says("pause") in out
    [saved] = PracticeStore(companion_home).records()
    [trigger] = saved["safety"]["triggers"]
    assert trigger["prompt"] == "pros_and_cons.urge" and trigger["reason"] == "crisis_language"
    assert trigger["continued"] is True and saved["status"] == "completed"


def test_stopping_at_the_safety_response_stops_the_skill(companion_home):
    code, out, _ = run_cli(["skill", "pros and cons", "--typed", "--no-speak"], companion_home,
                           "I want to end my life\nno\n")
    assert code == 0 and "How much did that help" not in out
    assert PracticeStore(companion_home).records()[0]["stopped_by"] == "safety"


# --- Terminal keys ------------------------------------------------------------------------------


def test_keys_in_a_real_terminal_and_the_mode_restored():
    main_fd, term_fd = pty.openpty()
    try:
        before = termios.tcgetattr(term_fd)
        with open(term_fd, "rb", buffering=0, closefd=False) as stdin, \
                terminal_keys(stdin) as controls:
            assert isinstance(controls, KeyControls)
            assert not termios.tcgetattr(term_fd)[3] & termios.ICANON  # keys without Enter
            assert controls.poll() is None
            os.write(main_fd, b" ")  # space: pause, or go on (the player knows which)
            assert controls.poll() == "toggle"
            os.write(main_fd, b"s")
            assert controls.poll() == "slower"
            os.write(main_fd, b"xq")
            assert controls.poll() == "stop"
            os.write(main_fd, b"typed later")
        assert termios.tcgetattr(term_fd) == before
    finally:
        os.close(main_fd)
        os.close(term_fd)


def test_no_terminal_no_keys():
    with terminal_keys(io.BytesIO(b" q")) as controls:
        assert isinstance(controls, NoControls) and controls.poll() is None

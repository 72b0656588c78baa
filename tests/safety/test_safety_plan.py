"""The personal safety plan: recording step by step, storage, and `companion plan`."""

from __future__ import annotations

import json
import os
import stat

import pytest

from companion.dialog.planning import PlanRecorder, load_sheet
from companion.errors import ExitCode, RecordError
from companion.safety.plan import PlanStore, split_items
from tests.fakes import RecordingPrompter as Screen
from tests.fakes import ScriptedAnswers as Script
from tests.fakes import StepClock, run_cli

ANSWERS = ["i stop sleeping and i hide in my room", "cold water, a fast walk and my playlist",
           "the library and my cousin jo", "my sister ana 555 0142",
           "doctor mina 555 0199 and the crisis line", "give my pills to my sister"]


def record(home, *answers):
    sheet, titles = load_sheet()
    script, screen = Script(*answers), Screen()
    plan = PlanRecorder(sheet, titles, source=script, prompter=screen, store=PlanStore(home),
                        clock=StepClock()).run()
    return plan, script, screen


@pytest.mark.parametrize("text,items", [
    ("cold water, a fast walk and my playlist", ("cold water", "a fast walk", "my playlist")),
    ("call my sister and then go for a walk", ("call my sister", "go for a walk")),
    ("breathing; ice; music.", ("breathing", "ice", "music")),
    ("my therapist 555 0199", ("my therapist 555 0199",)),
    ("  ", ()),
])
def test_split_items(text, items):
    assert split_items(text) == items


def test_the_plan_worksheet_has_the_six_steps_in_order():
    sheet, titles = load_sheet()
    assert [p.id for p in sheet.prompts] == ["warning_signs", "coping_alone", "distractions",
                                             "people_help", "professionals", "safe_environment"]
    assert all(p.kind == "free" and len(p.text.split()) <= 15 for p in sheet.prompts)
    assert "therapist" in sheet.prompts[4].text
    assert titles["warning_signs"] == "My warning signs"


def test_recording_saves_every_step(companion_home):
    plan, script, _ = record(companion_home, *ANSWERS)
    assert len(plan.steps) == 6 and len(script.asked) == 6
    assert plan.step("coping_alone").items == ("cold water", "a fast walk", "my playlist")
    assert plan.step("people_help").text == "my sister ana 555 0142"
    saved = PlanStore(companion_home).load()
    assert saved == plan
    assert stat.S_IMODE(os.stat(companion_home / "safety_plan.json").st_mode) == 0o600


def test_end_of_input_keeps_what_was_said(companion_home):
    plan, _, _ = record(companion_home, *ANSWERS[:2])
    assert [s.id for s in PlanStore(companion_home).load().steps] == ["warning_signs",
                                                                      "coping_alone"]
    assert plan.created_at and plan.updated_at >= plan.created_at


def test_skip_keeps_an_earlier_answer_and_back_goes_back(companion_home):
    record(companion_home, *ANSWERS)
    plan, script, screen = record(companion_home, "skip", "go back", "new signs", "skip",
                                  "stop")
    assert plan.step("warning_signs").text == "new signs"
    assert plan.step("coping_alone").text == ANSWERS[1]  # skipped: kept
    assert script.asked[:3] == ["warning_signs", "coping_alone", "warning_signs"]
    assert any("Last time you said" in t for _, t in screen.said)
    assert len(plan.steps) == 6


def test_long_answers_are_never_taken_as_commands(companion_home):
    plan, _, _ = record(companion_home, "i stop answering my phone and i sleep all day")
    assert plan.step("warning_signs").items == ("i stop answering my phone", "i sleep all day")


def test_empty_answers_get_a_hint_then_move_on(companion_home):
    plan, script, screen = record(companion_home, "", "", "walk")
    assert script.asked == ["warning_signs", "warning_signs", "coping_alone", "distractions"]
    assert plan.step("warning_signs") is None and plan.step("coping_alone").text == "walk"
    assert ("hint", "I didn't catch an answer. Try again, or say skip.") in screen.said


def test_damaged_plan_file(companion_home):
    companion_home.mkdir(parents=True)
    (companion_home / "safety_plan.json").write_text("[1, 2")
    with pytest.raises(RecordError, match="companion plan"):
        PlanStore(companion_home).load()
    assert PlanStore(companion_home).load_quietly() is None


# --- through the CLI ----------------------------------------------------------------------

cli = run_cli


def test_cli_records_then_shows_and_dumps_json(companion_home):
    code, out, err = cli(["plan", "--typed", "--no-speak"], companion_home,
                         "\n".join(ANSWERS) + "\n")
    assert code == 0, err
    assert "Which professionals or services" in out and "plan is saved" in out
    code, out, _ = cli(["plan", "--show"], companion_home)
    assert code == 0
    assert out.index("My warning signs") < out.index("i hide in my room") < out.index(
        "Making my surroundings safer")
    assert "• doctor mina 555 0199" in out
    code, out, _ = cli(["plan", "--show", "--json"], companion_home)
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 1 and len(data["steps"]) == 6
    assert data["steps"][1]["items"] == ["cold water", "a fast walk", "my playlist"]


def test_crisis_words_while_recording_bring_the_emergency_line_once(companion_home):
    (companion_home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    assert cli(["config", "set", "region", "uk"], companion_home)[0] == 0
    answers = ["i start thinking about killing myself", "i want to die when it gets bad",
               *ANSWERS[2:]]
    code, out, err = cli(["plan", "--typed", "--no-speak"], companion_home,
                         "\n".join(answers) + "\n")
    assert code == 0, err
    screen = out + err
    assert screen.count("your safety comes first") == 1  # said once, not at every answer
    reminder = screen[screen.index("your safety comes first"):][:200]
    assert "999" in reminder
    assert screen.index("What tells you a crisis") < screen.index("your safety comes first")
    code, out, _ = cli(["plan", "--show"], companion_home)
    assert "killing myself" in out  # the words stay in the plan as written


def test_cli_json_while_recording_keeps_stdout_clean(companion_home):
    code, out, err = cli(["plan", "--typed", "--no-speak", "--json"], companion_home,
                         "\n".join(ANSWERS[:3]) + "\nstop\n")
    assert code == 0, err
    assert [s["id"] for s in json.loads(out)["steps"]] == ["warning_signs", "coping_alone",
                                                          "distractions"]
    assert "What tells you a crisis might be starting?" in err


def test_cli_speak_reads_every_step(companion_home):
    cli(["plan", "--typed", "--no-speak"], companion_home, "\n".join(ANSWERS) + "\n")
    code, out, _ = cli(["plan", "--speak"], companion_home)
    assert code == 0
    assert "My warning signs: i stop sleeping, i hide in my room." in out
    assert "Making my surroundings safer: give my pills to my sister." in out


def test_cli_no_plan_yet(companion_home):
    for argv in (["plan", "--show"], ["plan", "--speak"], ["plan", "--show", "--json"]):
        code, out, err = cli(argv, companion_home)
        assert code == ExitCode.NO_PLAN and out == "" and "companion plan" in err


def test_cli_damaged_plan_is_one_clear_line(companion_home):
    companion_home.mkdir(parents=True)
    (companion_home / "safety_plan.json").write_text("{oops")
    code, out, err = cli(["plan", "--show"], companion_home)
    assert code == 5 and out == "" and err.count("\n") == 1 and "Traceback" not in err

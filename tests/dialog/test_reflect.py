"""The reflection flow with scripted answers: questions, ratings, urges, commands, safety."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from companion.data import load_data
from companion.data.names import display
from companion.dialog import reflect
from tests.fakes import RecordingPrompter, RecordingSafety, ScriptedAnswers, StepClock


def session_record(urges=("aggression",)):
    answers = {"urges": {"kind": "urges", "text": "x", "urges": list(urges), "skipped": False}}
    return {"id": "abc123", "answers": answers, "prompts": []}


def run(*texts, record=None, reflection=None, safety=None):
    record = record or session_record()
    reflection = reflection or reflect.new_reflection(datetime(2026, 11, 26, tzinfo=UTC),
                                                      "typed")
    saves, prompter = [], RecordingPrompter()
    source = ScriptedAnswers(*texts)
    flow = reflect.Reflection(record, reflection, source=source, prompter=prompter,
                              safety=safety or RecordingSafety(),
                              save=lambda r: saves.append(copy.deepcopy(r)), clock=StepClock())
    return flow.run(), saves, source, prompter


def test_full_reflection():
    result, saves, source, prompter = run("tipp and opposite action", "7", "kind of", "4",
                                          "no", "cold water first")
    assert source.asked == ["skills", "helped.tipp", "helped.opposite_action",
                            "helped.opposite_action", "urge.aggression", "remember"]
    assert result["complete"] and result["status"] == "complete"
    assert result["skills"] == ["tipp", "opposite_action"]
    assert result["helped"] == {"tipp": 7, "opposite_action": 4}
    assert result["urges"] == {"aggression": {"acted": False, "text": "no"}}
    assert result["remember"] == "cold water first"
    assert result["answers"]["helped.opposite_action"]["earlier_attempts"] == ["kind of"]
    assert len(saves) >= 5 and saves[-1] == result  # saved after every answer
    assert "How much did opposite action help, from zero to ten?" in prompter.prompts()


def test_no_urges_in_the_session_gets_the_general_question():
    result, _, source, _ = run("none", "yes", "sleep", record=session_record(urges=()))
    assert source.asked == ["skills", "urge.any", "remember"]
    assert result["urges"] == {"any": {"acted": True, "text": "yes"}}
    assert result["helped"] == {}


def test_unrecognised_skill_gets_one_general_rating():
    result, _, source, _ = run("i called my sister", "6", "no", "call her again")
    assert source.asked[:2] == ["skills", "helped.other"]
    assert result["helped"] == {"other": 6}


def test_skip_back_and_stop():
    result, saves, source, _ = run("tipp", "skip", "go back", "stop")
    assert source.asked == ["skills", "helped.tipp", "urge.aggression", "helped.tipp"]
    assert result["status"] == "stopped" and not result["complete"]
    assert result["answers"]["helped.tipp"]["skipped"] is True
    assert saves[-1]["status"] == "stopped"


def test_going_back_to_change_skills_changes_the_questions():
    result, _, source, _ = run("tipp", "go back", "opposite action", "5", "no", "x")
    assert source.asked[:4] == ["skills", "helped.tipp", "skills", "helped.opposite_action"]
    assert result["helped"] == {"opposite_action": 5} and result["complete"]
    assert result["skills"] == ["opposite_action"]


def test_interrupted_reflection_continues_where_it_left_off():
    first, saves, _, _ = run("tipp", "8")
    assert first["status"] == "interrupted" and first["helped"] == {"tipp": 8}
    second, _, source, _ = run("no", "breathe", reflection=saves[-1])
    assert source.asked == ["urge.aggression", "remember"]
    assert second["complete"] and second["helped"] == {"tipp": 8}


def test_nothing_said_saves_nothing():
    result, saves, _, _ = run()
    assert result["status"] == "interrupted" and saves == []


@pytest.mark.parametrize("carry_on, status", [(True, "complete"), (False, "stopped")])
def test_acting_on_a_self_harm_urge_brings_the_safety_response(carry_on, status):
    safety = RecordingSafety(carry_on=carry_on)
    result, _, _, _ = run("none", "yes", "x", record=session_record(urges=("self_harm",)),
                          safety=safety)
    assert [t["reason"] for t in safety.triggers] == ["acted_on_urge"]
    assert result["status"] == status
    assert result["safety"]["triggers"][0]["continued"] is carry_on


@pytest.mark.parametrize("carry_on, status", [(True, "complete"), (False, "stopped")])
def test_crisis_words_in_an_unclear_rating_get_the_safety_response_at_once(carry_on, status):
    """Not a number, so it will be asked again, but the crisis check cannot wait for that."""
    safety = RecordingSafety(carry_on=carry_on)
    result, _, _, prompter = run("tipp", "nothing helps i want to kill myself", "2", "no", "x",
                                 safety=safety)
    assert [t["reason"] for t in safety.triggers] == ["crisis_language"]
    assert safety.triggers[0]["prompt"] == "helped.tipp"
    assert result["status"] == status and result["safety"]["crisis"] is True
    assert [role for role, _ in prompter.said][:3] == ["prompt", "prompt", "safety"]


def test_an_unclear_rating_is_saved_before_it_is_asked_again():
    first, saves, _, _ = run("tipp", "it was okay i guess")  # then the input ends
    entry = saves[-1]["answers"]["helped.tipp"]
    assert entry["text"] == "it was okay i guess" and entry["awaiting_retry"] is True
    assert first["status"] == "interrupted"
    second, _, source, prompter = run("six", "no", "x", reflection=saves[-1])
    assert source.asked[0] == "helped.tipp"
    assert ("hint", load_data(reflect.DATA)["intensity_hint"]) in prompter.said
    entry = second["answers"]["helped.tipp"]
    assert entry["intensity"] == 6 and entry["earlier_attempts"] == ["it was okay i guess"]
    assert second["complete"] and second["helped"] == {"tipp": 6}


def test_every_prompt_fits_in_fifteen_words_with_the_longest_names():
    data = load_data(reflect.DATA)
    names = load_data("names.toml")
    longest = {group: max((display(group, i) for i in names[group]), key=lambda n: len(n.split()))
               for group in ("skills", "urges")}
    for spec in data["prompt"].values():
        text = spec["text"].format(skill=longest["skills"], urge=longest["urges"])
        assert len(text.split()) <= 15, text


def test_filler_sounds_alone_are_not_an_answer():
    result, _, source, prompter = run("um", "tipp", "7", "no", "x")
    assert source.asked[:3] == ["skills", "skills", "helped.tipp"]
    assert result["skills"] == ["tipp"] and result["helped"] == {"tipp": 7}
    assert ("hint", load_data(reflect.DATA)["empty_hint"]) in prompter.said

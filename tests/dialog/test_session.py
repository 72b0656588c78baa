"""The orchestrator with scripted answers: commands, conditions, retries, safety, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.dialog import worksheet
from companion.dialog.session import run_session
from companion.journal.store import SessionStore
from tests.fakes import RecordingPrompter, RecordingSafety, ScriptedAnswers, StepClock

EIGHT = ["my boss yelled at me in front of everyone", "angry and embarrassed", "like an eight",
         "i want to drink", "six", "i tried cold water", "how to go back to work tomorrow",
         "go for a walk"]


def run(*texts, safety=None, record=None, home=None, store=None):
    store = store or SessionStore(home)
    source, prompter = ScriptedAnswers(*texts), RecordingPrompter()
    safety = safety or RecordingSafety()
    rec = run_session(worksheet.load_default(), source=source, prompter=prompter, store=store,
                      clock=StepClock(), safety=safety, record=record)
    return rec, source, prompter, safety


def test_full_session_understands_and_saves(companion_home):
    rec, _source, _prompter, _ = run(*EIGHT, home=companion_home)
    assert rec["complete"] and rec["status"] == "complete"
    a = rec["answers"]
    assert set(a["emotions"]["emotions"]) >= {"anger", "shame"}
    assert a["intensity"]["intensity"] == 8
    assert a["urges"]["urges"] == ["substance_use"]
    assert a["urge_intensity"]["intensity"] == 6
    assert "tipp" in a["skills_tried"]["skills"]
    assert "8 out of 10" in rec["summary"] and len(rec["summary"].split()) <= 75
    on_disk = json.loads(Path(rec["files"]["json"]).read_text())
    assert on_disk == rec
    assert "I feel angry" in Path(rec["files"]["markdown"]).read_text()


def test_conditional_prompt_skipped_without_urges(companion_home):
    answers = EIGHT[:3] + ["no urges right now"] + EIGHT[5:]
    rec, source, _, _ = run(*answers, home=companion_home)
    assert "urge_intensity" not in source.asked
    assert "urge_intensity" not in rec["answers"] and rec["complete"]


@pytest.mark.parametrize("urges", ["idk", "nothing really", "i don't want to drink",
                                   "not at the moment", "um no"])
def test_conditional_prompt_skipped_when_nothing_was_named(companion_home, urges):
    rec, source, _, _ = run(*EIGHT[:3], urges, *EIGHT[5:], home=companion_home)
    assert "urge_intensity" not in source.asked and rec["complete"]


def test_an_urge_outside_the_vocabulary_still_gets_its_rating(companion_home):
    rec, source, _, _ = run(*EIGHT[:3], "to text him like forty times", "nine", *EIGHT[5:],
                            home=companion_home)
    assert "urge_intensity" in source.asked and rec["complete"]
    assert rec["answers"]["urge_intensity"]["intensity"] == 9
    assert "I have an urge to text him forty times, 9 out of 10." in rec["summary"]


@pytest.mark.parametrize("sounds", ["um", "uh... hmm", "ummm"])
def test_filler_sounds_alone_are_not_an_answer(companion_home, sounds):
    rec, source, prompter, _ = run(EIGHT[0], sounds, *EIGHT[1:], home=companion_home)
    assert source.asked[:3] == ["situation", "emotions", "emotions"]
    assert rec["answers"]["emotions"]["text"] == EIGHT[1]
    assert any("didn't catch" in t for _, t in prompter.said)


@pytest.mark.parametrize("word", ["repeat", "can you say that again"])
def test_repeat_asks_the_same_prompt_again(companion_home, word):
    rec, _source, prompter, _ = run(word, *EIGHT, home=companion_home)
    assert prompter.prompts()[:2] == [prompter.prompts()[0]] * 2
    assert rec["answers"]["situation"]["text"] == EIGHT[0]


def test_help_gives_the_hint_and_commands(companion_home):
    rec, _, prompter, _ = run("help", *EIGHT, home=companion_home)
    hints = [t for r, t in prompter.said if r == "hint"]
    assert any("skip" in h and "A sentence or two" in h for h in hints)
    assert rec["complete"]


def test_skip_records_a_skipped_answer(companion_home):
    rec, *_ = run("skip", *EIGHT[1:], home=companion_home)
    assert rec["answers"]["situation"]["skipped"] is True
    assert "happening" not in rec["summary"]


def test_back_returns_to_previous_prompt_and_replaces_answer(companion_home):
    rec, source, *_ = run(EIGHT[0], "scared", "go back", "sad and lonely", *EIGHT[2:],
                          home=companion_home)
    assert source.asked[:4] == ["situation", "emotions", "intensity", "emotions"]
    assert rec["answers"]["emotions"]["emotions"] == ["sadness"]


def test_back_at_first_prompt_stays(companion_home):
    rec, source, prompter, _ = run("go back", *EIGHT, home=companion_home)
    assert any("first question" in t for _, t in prompter.said)
    assert source.asked[:2] == ["situation", "situation"] and rec["complete"]


def test_stop_ends_early_keeping_answers(companion_home):
    rec, *_ = run(EIGHT[0], EIGHT[1], "stop", home=companion_home)
    assert rec["status"] == "stopped" and not rec["complete"]
    assert set(rec["answers"]) == {"situation", "emotions"}
    saved = json.loads(Path(rec["files"]["json"]).read_text())
    assert saved["answers"]["emotions"]["text"] == EIGHT[1]


def test_command_words_inside_content_are_content(companion_home):
    text = "my partner told me to stop it and skip the party so i left"
    rec, *_ = run(text, *EIGHT[1:], home=companion_home)
    assert rec["answers"]["situation"]["text"] == text


def test_unclear_intensity_asked_once_more_then_raw_kept(companion_home):
    rec, _, prompter, _ = run(EIGHT[0], EIGHT[1], "really really bad", "awful",
                              *EIGHT[3:], home=companion_home)
    hints = [t for r, t in prompter.said if r == "hint"]
    assert any("zero to ten" in h for h in hints)
    entry = rec["answers"]["intensity"]
    assert entry["intensity"] is None and entry["text"] == "awful"
    assert entry["earlier_attempts"] == ["really really bad"]


def test_unclear_intensity_then_a_number(companion_home):
    rec, *_ = run(EIGHT[0], EIGHT[1], "bad", "seven", *EIGHT[3:], home=companion_home)
    assert rec["answers"]["intensity"]["intensity"] == 7


def test_an_unclear_rating_is_on_disk_before_it_is_asked_again(companion_home):
    """Nothing lost: the first words are saved before the re-ask, so a dead mic or a kill while
    it waits keeps them; resuming asks that rating again (with the hint) and keeps both."""
    rec, *_ = run(EIGHT[0], EIGHT[1], "really really bad", home=companion_home)  # then EOF
    saved = json.loads(SessionStore(companion_home).json_path(rec["id"]).read_text())
    entry = saved["answers"]["intensity"]
    assert entry["text"] == "really really bad" and entry["awaiting_retry"] is True
    assert not saved["complete"]
    markdown = SessionStore(companion_home).markdown_path(rec["id"]).read_text()
    assert "really really bad" in markdown and "asked again" in markdown

    done, _, prompter, _ = run("like a seven", *EIGHT[3:], record=saved, home=companion_home)
    assert done["complete"]
    entry = done["answers"]["intensity"]
    assert entry["intensity"] == 7 and entry["earlier_attempts"] == ["really really bad"]
    assert "awaiting_retry" not in entry
    assert prompter.said[:2] == [("prompt", worksheet.load_default().prompts[2].text),
                                 ("hint", "Please give a number from zero to ten.")]


def test_skipping_an_unclear_rating_keeps_the_first_words(companion_home):
    rec, *_ = run(EIGHT[0], EIGHT[1], "really really bad", "skip", *EIGHT[3:],
                  home=companion_home)
    entry = rec["answers"]["intensity"]
    assert entry["skipped"] and entry["earlier_attempts"] == ["really really bad"]
    assert "awaiting_retry" not in entry


def test_empty_answers_reprompt_then_skip(companion_home):
    rec, _, prompter, _ = run("", "   ", *EIGHT[1:], home=companion_home)
    assert rec["answers"]["situation"]["skipped"]
    assert any("didn't catch" in t for _, t in prompter.said)


def test_end_of_input_leaves_an_incomplete_resumable_record(companion_home):
    rec, *_ = run(*EIGHT[:3], home=companion_home)
    assert rec["status"] == "interrupted" and not rec["complete"]
    saved = json.loads(Path(rec["files"]["json"]).read_text())
    assert len(saved["answers"]) == 3
    resumed, source, *_ = run(*EIGHT[3:], record=saved, home=companion_home)
    assert source.asked[0] == "urges" and resumed["complete"]
    assert resumed["answers"]["situation"]["text"] == EIGHT[0]


def test_crisis_language_triggers_safety_before_next_prompt(companion_home):
    safety = RecordingSafety()
    rec, _, prompter, _ = run("i want to kill myself", *EIGHT[1:], safety=safety,
                              home=companion_home)
    assert safety.triggers and safety.triggers[0]["prompt"] == "situation"
    roles = [r for r, _ in prompter.said]
    assert roles.index("safety") < [i for i, r in enumerate(roles) if r == "prompt"][1]
    assert rec["safety"]["crisis"] and rec["safety"]["notice_shown"]
    assert rec["complete"]


def test_strong_self_harm_urge_triggers_safety(companion_home):
    safety = RecordingSafety()
    answers = EIGHT[:3] + ["i really want to cut", "eight"] + EIGHT[5:]
    rec, *_ = run(*answers, safety=safety, home=companion_home)
    assert [t["reason"] for t in safety.triggers] == ["urge_intensity"]
    assert rec["summary"].startswith("I have urges to hurt myself, at 8 out of 10.")


def test_weak_urge_brings_the_check_in_not_the_safety_response(companion_home):
    safety = RecordingSafety()
    answers = EIGHT[:3] + ["i kind of want to cut", "three", "yes i'm safe"] + EIGHT[5:]
    _, source, _, _ = run(*answers, safety=safety, home=companion_home)
    assert source.asked[4:6] == ["urge_intensity", "_check_in"]
    assert safety.triggers == []


def test_a_crisis_answer_that_does_not_answer_the_question_gets_the_question_again(
        companion_home):
    """'What emotions?' -> 'i want to kill myself': safety first, then the same question once
    more, so the emotions are still asked for; the crisis stays first in the summary."""
    safety = RecordingSafety()
    rec, source, prompter, _ = run(EIGHT[0], "i want to kill myself", "scared and alone",
                                   *EIGHT[2:], safety=safety, home=companion_home)
    assert source.asked[:4] == ["situation", "emotions", "emotions", "intensity"]
    roles = [r for r, _ in prompter.said]
    assert roles[roles.index("safety") + 1] == "prompt"  # the question again, right after
    entry = rec["answers"]["emotions"]
    assert {"fear", "sadness"} <= set(entry["emotions"])
    assert entry["earlier_attempts"] == ["i want to kill myself"]
    assert entry["crisis"] is True and entry["crisis_kinds"] == ["suicide"]
    assert rec["summary"].startswith("I'm having thoughts of suicide.")
    assert len(safety.triggers) == 1


def test_a_crisis_answer_that_answers_the_question_moves_on(companion_home):
    rec, source, *_ = run(EIGHT[0], "so sad i want to die", *EIGHT[2:], home=companion_home)
    assert source.asked[:3] == ["situation", "emotions", "intensity"]
    assert rec["answers"]["emotions"]["emotions"] == ["sadness"]


@pytest.mark.parametrize("then", ["eight", "skip"])
def test_crisis_words_in_an_unclear_rating_stay_in_the_summary(companion_home, then):
    rec, *_ = run(EIGHT[0], EIGHT[1], "i just want to die", then, *EIGHT[3:],
                  home=companion_home)
    assert rec["answers"]["intensity"]["crisis_kinds"] == ["suicide"]
    assert rec["summary"].startswith("I'm having thoughts of suicide.")


def test_choosing_not_to_continue_after_safety_stops(companion_home):
    rec, *_ = run("i took a whole bottle of pills", *EIGHT[1:],
                  safety=RecordingSafety(carry_on=False), home=companion_home)
    assert rec["status"] == "stopped"
    assert rec["answers"]["situation"]["crisis"] is True


def test_every_answer_is_on_disk_when_given(companion_home):
    store = SessionStore(companion_home)
    seen = []

    class Watching(ScriptedAnswers):
        def listen(self, prompt):
            files = list(store.sessions_dir.glob("*.json"))
            if files:
                seen.append(len(json.loads(files[0].read_text())["answers"]))
            return super().listen(prompt)

    source = Watching(*EIGHT)
    run_session(worksheet.load_default(), source=source, prompter=RecordingPrompter(),
                store=store, clock=StepClock(), safety=RecordingSafety())
    assert seen == list(range(8))


def test_ctrl_c_saves_and_says_how_to_resume(companion_home):
    from companion.errors import SessionInterrupted

    class CtrlC(ScriptedAnswers):
        def listen(self, prompt):
            if not self.texts:
                raise KeyboardInterrupt
            return super().listen(prompt)

    store = SessionStore(companion_home)
    with pytest.raises(SessionInterrupted, match="companion resume") as err:
        run_session(worksheet.load_default(), source=CtrlC(*EIGHT[:2]),
                    prompter=RecordingPrompter(), store=store, clock=StepClock(),
                    safety=RecordingSafety())
    assert err.value.exit_code == 130
    saved = json.loads(next(store.sessions_dir.glob("*.json")).read_text())
    assert saved["status"] == "interrupted" and len(saved["answers"]) == 2


@pytest.mark.parametrize("situation", ["i feel so hopeless about everything", "i keep thinking about pills",
                                       "everything is pointless"])
def test_risk_words_get_a_check_in_and_a_clear_yes_continues(companion_home, situation):
    safety = RecordingSafety()
    rec, source, prompter, _ = run(situation, "yes i'm safe", *EIGHT[1:], safety=safety,
                                   home=companion_home)
    assert "That sounds hard. Are you safe right now?" in prompter.prompts()
    assert source.asked[:3] == ["situation", "_check_in", "emotions"]
    assert safety.triggers == [] and rec["complete"]
    event = rec["events"][0]
    assert event["type"] == "reply" and event["prompt"] == "_check_in"
    assert event["understood"]["answer"] == "yes"


@pytest.mark.parametrize("reply", ["no", "not really", "i don't know", ""])
def test_anything_but_yes_to_the_check_in_gives_the_safety_response(companion_home, reply):
    safety = RecordingSafety()
    rec, *_ = run("honestly i just want to disappear", reply, *EIGHT[1:], safety=safety,
                  home=companion_home)
    assert [t["reason"] for t in safety.triggers] == ["not_safe"]
    assert rec["safety"]["notice_shown"]


def test_ordinary_answers_get_no_check_in(companion_home):
    rec, source, *_ = run(*EIGHT, home=companion_home)
    assert "_check_in" not in source.asked and rec["events"] == []

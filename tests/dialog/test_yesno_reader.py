"""The yes/no reader of the safety questions: a yes only when the reply is one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.dialog.engine import disclosed, read_yesno
from companion.understand import analysis

DATA = Path(__file__).resolve().parents[1] / "data"


def crisis_utterances() -> list[str]:
    rows = []
    for path in sorted(DATA.rglob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            rows += [r["text"] for r in map(json.loads, filter(str.strip, fh))
                     if r.get("expect", {}).get("crisis")]
    return rows


def read(text: str, context: str = "", safety: bool = True) -> str | None:
    return read_yesno(text, analysis.analyze(text, "yesno"), safety=safety, context=context)


@pytest.mark.parametrize("context", ["", "safe"])
def test_no_crisis_utterance_is_ever_a_yes(context):
    texts = crisis_utterances()
    assert len(texts) > 500
    assert [t for t in texts if read(t, context) == "yes"] == []


@pytest.mark.parametrize("text,answer", [
    ("yes", "yes"), ("yeah i'm okay", "yes"), ("um yeah", "yes"), ("sure", "yes"),
    ("yes please keep going", "yes"), ("uh huh", "yes"), ("okay", "yes"),
    ("no", "no"), ("no not really", "no"), ("nope", "no"), ("not really no", "no"),
    ("i have a plan to kill myself tonight", None), ("i have an urge to cut myself", None),
    ("i am scared", None), ("grief and guilt", None), ("maybe", None), ("yes and no", None),
    ("i have", "yes"), ("i did not", "no"),
    ("yeah i'm safe the pills are in the drawer though", None),
    ("yes i made sure my brother knows i love him so it's fine now", None),
])
def test_replies_to_keep_going(text, answer):
    assert read(text) == answer


@pytest.mark.parametrize("text,outcome", [
    ("i'm safe", "go on"), ("yes i'm safe", "go on"), ("i'm okay right now", "go on"),
    ("i'm not safe", "response"), ("not safe", "response"), ("i don't feel safe", "response"),
    ("no", "response"), ("i have an urge to cut myself", "response"),
    ("i am scared", "ask again"), ("grief and guilt", "ask again"),
])
def test_replies_to_the_check_in(text, outcome):
    result = analysis.analyze(text, "yesno")
    answer = read(text, "safe")
    got = ("response" if disclosed(text, result) or answer == "no" else
           "go on" if answer == "yes" else "ask again")
    assert got == outcome


def test_a_described_answer_elsewhere_is_not_read_as_yes():
    assert read("i texted them twice but didn't call", safety=False) is None

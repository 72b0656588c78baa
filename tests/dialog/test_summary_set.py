"""Scores build_summary on labelled answer sets (run with -s to see the numbers).

summaries_blind.jsonl was written by someone who never saw the summary rules; summaries.jsonl
holds our own development cases. Each row: answers (role -> what the client said), and
case-insensitive substrings the summary must / must not contain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.dialog.engine import answer_text
from companion.dialog.session import answer_entry
from companion.dialog.summary import MAX_WORDS, build_summary
from companion.dialog.worksheet import load_default
from companion.interfaces import Reply
from companion.understand import analysis

DATA = Path(__file__).resolve().parent.parent / "data"
SETS = ("summaries_blind.jsonl", "summaries.jsonl")


def load_rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def saved_answers(said: dict[str, str]) -> dict[str, dict]:
    """What a session saves for these replies (keyed by role), through the real understanding."""
    worksheet = load_default()
    out = {}
    for prompt in worksheet.prompts:
        if prompt.id not in said:
            continue
        text = answer_text(said[prompt.id], prompt.kind)
        reply = Reply("answer" if text else "empty", text,
                      result=analysis.analyze(text, prompt.kind) if text else None)
        entry = answer_entry(prompt, reply, "2025-01-01T10:00:00", skipped=not text)
        out[worksheet.roles.get(prompt.id, prompt.id)] = entry
    return out


def summary_of(row: dict) -> str:
    return build_summary(saved_answers(row["answers"]))


def score(rows: list[dict]) -> tuple[float, float, list[str]]:
    """(must-contain rate, must-not-contain rate, failure lines)."""
    hit = want = clean = banned = 0
    failures = []
    for row in rows:
        text = summary_of(row).lower()
        missing = [s for s in row["must_contain"] if s.lower() not in text]
        present = [s for s in row["must_not_contain"] if s.lower() in text]
        want += len(row["must_contain"])
        hit += len(row["must_contain"]) - len(missing)
        banned += len(row["must_not_contain"])
        clean += len(row["must_not_contain"]) - len(present)
        if missing or present:
            failures.append(f"{row['id']}: missing {missing} present {present}\n    {text}")
    return hit / max(want, 1), clean / max(banned, 1), failures


@pytest.mark.parametrize("name", SETS)
def test_labelled_summaries(name):
    rows = load_rows(name)
    contain, avoid, failures = score(rows)
    print(f"\n{name}: {len(rows)} cases, must-contain {contain:.3f}, "
          f"must-not-contain {avoid:.3f}")
    for line in failures:
        print("  " + line)
    assert contain >= 0.95
    assert avoid == 1.0


@pytest.mark.parametrize("name", SETS)
def test_labelled_summaries_fit_the_spoken_length(name):
    for row in load_rows(name):
        assert len(summary_of(row).split()) <= MAX_WORDS, row["id"]


def test_own_set_is_big_enough():
    assert len(load_rows("summaries.jsonl")) >= 20

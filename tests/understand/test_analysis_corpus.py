"""Scores companion.understand.analysis on the labelled utterance sets (run with -s to see the numbers)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from companion.understand import analysis

DATA = Path(__file__).resolve().parent.parent / "data"
SET_FIELDS = {"emotions": "emotions", "urges": "urges", "skills": "skills"}
EXACT_FIELDS = {"intensity": "intensity", "yesno": "answer", "command": "command"}


def load_rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _same(got, want) -> bool:
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(got - want) < 0.01
    return got == want


def score(rows: list[dict], analyze=None, detect_command=None) -> tuple[dict[str, float], list[str]]:
    """Micro P/R/F1 for the set fields, accuracy for the rest, crisis recall and false alarms
    (`analyze(text, kind)` and `detect_command(text)`: the rules unless others are passed)."""
    analyze = analyze or analysis.analyze
    detect_command = detect_command or analysis.detect_command
    counts: Counter = Counter()
    failures: list[str] = []
    for row in rows:
        text, kind, expect = row["text"], row["kind"], row["expect"]
        got = analyze(text, kind).as_dict()
        wrong = []
        for field in SET_FIELDS.values():
            if field in expect:
                g, w = set(got[field]), set(expect[field])
                counts[f"{field}_tp"] += len(g & w)
                counts[f"{field}_fp"] += len(g - w)
                counts[f"{field}_fn"] += len(w - g)
                wrong += [field] if g != w else []
        for label, field in EXACT_FIELDS.items():
            if field in expect and field != "command":
                counts[f"{label}_n"] += 1
                ok = _same(got[field], expect[field])
                counts[f"{label}_ok"] += ok
                wrong += [] if ok else [field]
        command = detect_command(text)
        want_command = expect.get("command")
        if kind == "command" or want_command is not None:
            counts["command_n"] += 1
            counts["command_ok"] += command == want_command
            wrong += [] if command == want_command else ["command"]
        if want_command is None and command is not None:
            counts["command_false_positives"] += 1
            wrong += ["command(false positive)"]
        if expect["crisis"]:
            counts["crisis_pos"] += 1
            counts["crisis_hit"] += got["crisis"]
        else:
            counts["crisis_neg"] += 1
            counts["crisis_false_alarm"] += got["crisis"]
        wrong += [] if got["crisis"] == expect["crisis"] else ["crisis"]
        if "crisis_kinds" in expect and expect["crisis"]:
            counts["kinds_n"] += 1
            counts["kinds_ok"] += set(got["crisis_kinds"]) == set(expect["crisis_kinds"])
        if wrong:
            failures.append(f"[{kind}] {text!r}: wrong {', '.join(wrong)}; got {got}")
    return _metrics(counts), failures


def _ratio(a: float, b: float) -> float:
    return a / b if b else 1.0


def _metrics(c: Counter) -> dict[str, float]:
    m: dict[str, float] = {}
    for field in SET_FIELDS.values():
        tp, fp, fn = c[f"{field}_tp"], c[f"{field}_fp"], c[f"{field}_fn"]
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        m[f"{field}_precision"], m[f"{field}_recall"] = p, r
        m[f"{field}_f1"] = _ratio(2 * p * r, p + r)
    for label in EXACT_FIELDS:
        m[f"{label}_accuracy"] = _ratio(c[f"{label}_ok"], c[f"{label}_n"])
    m["command_false_positives"] = c["command_false_positives"]
    m["crisis_recall"] = _ratio(c["crisis_hit"], c["crisis_pos"])
    m["crisis_false_alarm_rate"] = c["crisis_false_alarm"] / max(1, c["crisis_neg"])
    m["crisis_kinds_accuracy"] = _ratio(c["kinds_ok"], c["kinds_n"])
    m["crisis_positives"], m["crisis_negatives"] = c["crisis_pos"], c["crisis_neg"]
    return m


def report(name: str, rows: list[dict]) -> dict[str, float]:
    metrics, failures = score(rows)
    print(f"\n== {name}: {len(rows)} utterances")
    for key, value in metrics.items():
        print(f"  {key:28s} {value:.3f}" if isinstance(value, float) else f"  {key:28s} {value}")
    for line in failures:
        print("  FAIL", line)
    return metrics


def test_main_set_is_big_and_balanced():
    rows = load_rows("utterances.jsonl")
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 300
    assert set(kinds) >= {"emotions", "intensity", "urges", "skills", "command", "yesno", "free"}
    assert sum(r["expect"]["crisis"] for r in rows) >= 20
    assert sum(not r["expect"]["crisis"] for r in rows if r["kind"] == "free") >= 20
    assert sum(r["expect"].get("command") is None for r in rows if r["kind"] == "command") >= 30
    assert all("crisis" in r["expect"] for r in rows)


def test_main_set_scores():
    m = report("main set", load_rows("utterances.jsonl"))
    for field in SET_FIELDS.values():
        assert m[f"{field}_f1"] >= 0.95, field
    for label in EXACT_FIELDS:
        assert m[f"{label}_accuracy"] >= 0.97, label
    assert m["command_false_positives"] == 0
    assert m["crisis_recall"] == 1.0
    assert m["crisis_false_alarm_rate"] <= 0.05


def test_hard_set_scores():
    """Hard cases: every crisis must still be caught; the rest has a looser floor.

    The floor (F1/accuracy >= 0.6) is what we can defend for deliberately adversarial phrasing:
    recognizer garbles, ellipsis ('not going to drink but i want to') and idioms outside the
    vocabulary. Failures here are printed and are the to-do list for the vocabularies.
    """
    m = report("hard set", load_rows("utterances_hard.jsonl"))
    assert m["crisis_recall"] == 1.0
    for field in SET_FIELDS.values():
        assert m[f"{field}_f1"] >= 0.6, field
    for label in EXACT_FIELDS:
        assert m[f"{label}_accuracy"] >= 0.6, label


def test_blind_set_scores():
    """Written by an auditor before reading the crisis vocabulary (see utterances_blind.jsonl).

    Every crisis must be caught. False alarms: at most 3% of the harmless lines (idioms, denials,
    other people, accidents, skills talk). The long-past attempt told as history ("years ago i
    tried to kill myself but i'm in a much better place now") now gets the check-in question
    instead of the full response (risk.toml softeners).
    """
    rows = load_rows("utterances_blind.jsonl")
    assert sum(r["expect"]["crisis"] for r in rows) >= 120
    assert sum(not r["expect"]["crisis"] for r in rows) >= 80
    m = report("blind set", rows)
    assert m["crisis_recall"] == 1.0
    assert m["crisis_false_alarm_rate"] <= 0.03
    assert m["crisis_kinds_accuracy"] >= 0.95
    assert m["intensity_accuracy"] >= 0.97


def test_second_blind_set_scores():
    """170 lines by a second auditor who saw neither the vocabulary nor the other sets.

    Scored before any change: crisis recall 0.818 (90/110), 0.891 counting the "are you safe?"
    check-in that risk words bring, false alarms 2/60. The vocabulary then gained general
    wordings for what it missed (see "second blind audit" in crisis.toml). Two lines stay below
    a crisis on purpose: "yeah i already took the pills" and "numb i guess the pills are kicking
    in" are also what someone on prescribed medication says; their risk words bring the
    check-in, so every crisis line still gets a safety response.
    """
    rows = load_rows("utterances_blind2.jsonl")
    assert len(rows) >= 170 and sum(r["expect"]["crisis"] for r in rows) >= 100
    m = report("second blind set", rows)
    assert m["crisis_recall"] >= 0.98
    assert m["crisis_false_alarm_rate"] <= 0.05
    missed = [r["text"] for r in rows
              if r["expect"]["crisis"] and not analysis.analyze(r["text"], r["kind"]).crisis]
    assert all(analysis.risk_words(text) for text in missed), missed  # the check-in covers them
    # The check-in's cost: on these hard negatives it asked "are you safe?" 38 times of 60
    # before risk.toml learned idioms ("this traffic is killing me"); 23 now (denials and other
    # people's crises keep it, on purpose).
    negatives = [r for r in rows if not r["expect"]["crisis"]]
    check_ins = sum(bool(analysis.risk_words(r["text"])) and not analysis.analyze(
        r["text"], r["kind"]).crisis for r in negatives)
    print(f"  check-ins on negatives        {check_ins}/{len(negatives)}")
    assert check_ins <= 0.45 * len(negatives)


@pytest.mark.parametrize("name", ["utterances.jsonl", "utterances_hard.jsonl",
                                  "utterances_blind.jsonl", "utterances_blind2.jsonl"])
def test_rows_are_well_formed(name):
    for row in load_rows(name):
        assert row["kind"] in analysis.KINDS
        assert isinstance(row["text"], str)
        assert isinstance(row["expect"]["crisis"], bool)


def test_blind_short_replies():
    """160 short answers labelled filler / none / unsure / content by a helper who had not seen
    replies.toml. Scored before any change: accuracy 0.769 (none and unsure answers with extra
    words, like "nope none" or "idk man", were taken as content), and no content line was read
    as saying nothing. replies.toml then moved from whole phrases to word sets. The costly error
    is the other way round (the client's words dropped), so that one must stay at zero.
    """
    rows = load_rows("replies_blind.jsonl")
    assert len(rows) >= 150 and {r["label"] for r in rows} == {"filler", "none", "unsure",
                                                                "content"}
    got = [(r, analysis.reply_kind(r["text"]) or "content") for r in rows]
    wrong = [f"{r['label']} -> {g}: {r['text']!r}" for r, g in got if g != r["label"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"\n== blind short replies: {len(rows)}, accuracy {accuracy:.3f}")
    for line in wrong:
        print("  FAIL", line)
    assert accuracy >= 0.95
    assert not [w for w in wrong if w.startswith("content ->")]


@pytest.mark.parametrize("name", ["replies_blind.jsonl"])
def test_reply_rows_are_well_formed(name):
    for row in load_rows(name):
        assert row["kind"] in ("emotions", "urges", "skills", "free")
        assert isinstance(row["text"], str) and row["label"]

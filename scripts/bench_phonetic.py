"""Measures the phonetic layer (companion/understand/phonetic.py): false matches on ordinary
answers, hits on known mishearings, and time per answer. Needs espeak-ng.
    .venv/bin/python scripts/bench_phonetic.py [-v]

False matches: every answer text in tests/data/*.jsonl and tests/data/heldout/*.jsonl is matched
against the WHOLE vocabulary (all kinds, whatever the question), and a sound match counts as
false when its kind:label is not one the row expects:
- labelled rows (utterances*.jsonl): the labels in `expect` (emotions, skills, urges, command,
  answer -> yesno, intensity -> numbers: its floor and ceiling, crisis_kinds -> the urge of the
  same meaning: suicide and overdose -> urges:suicide, self_harm_done -> urges:self_harm);
  a "free" row without crisis expects nothing;
- replies_blind.jsonl (labels filler/none/unsure/content, no item ids): nothing, except that a
  "content" answer expects what the phrase rules find in it for its kind;
- summaries*.jsonl: situation, goal and backup expect nothing; emotions, urges and skills_tried
  expect what the phrase rules find; the two ratings expect the rating the rules read.
Mishearings: tests/data/phonetic/mishearings.toml ([[heard]] must give `means`; [[ordinary]]
must not give `not`).
Time: per answer, p50 and p99, (a) `find` with a fresh espeak-ng cache, so every answer costs one
espeak-ng run, as a new answer would; (b) `match` alone (keys known): the pure matching.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT))

_ITEM_KINDS = {"emotions": "emotions", "skills": "skills", "urges": "urges"}
_CRISIS_URGES = {"suicide": "urges:suicide", "overdose": "urges:suicide",
                 "self_harm_done": "urges:self_harm", "self_harm": "urges:self_harm"}
"""A row labelled with a crisis kind means that urge ('sue aside' in a suicide row ~ suicide)."""
_SUMMARY_FIELDS = {"emotions": "emotions", "urges": "urges", "skills_tried": "skills"}


def _numbers(value: float | None) -> set[str]:
    if value is None:
        return set()
    return {f"numbers:{math.floor(value)}", f"numbers:{math.ceil(value)}"}


def _rule_labels(kind: str, text: str) -> set[str]:
    from companion.understand import analysis

    finder = {"emotions": analysis.find_emotions, "skills": analysis.find_skills,
              "urges": analysis.find_urges}[kind]
    return {f"{kind}:{label}" for label in finder(text)}


def _labelled(row: dict) -> set[str]:
    expect = row["expect"]
    out = {f"{kind}:{x}" for kind in _ITEM_KINDS for x in expect.get(kind) or ()}
    if expect.get("command"):
        out.add(f"commands:{expect['command']}")
    if expect.get("answer"):
        out.add(f"yesno:{expect['answer']}")
    out |= {_CRISIS_URGES[kind] for kind in expect.get("crisis_kinds") or ()}
    return out | _numbers(expect.get("intensity"))


def answers() -> list[tuple[str, str, set[str]]]:
    """(file, text, expected kind:labels) for every answer text in the test data."""
    from companion.understand.analysis import parse_intensity

    out = []
    untouched = set((DATA / "heldout" / "UNTOUCHED").read_text("utf-8").split())
    for path in sorted([*DATA.glob("*.jsonl"), *DATA.glob("heldout/*.jsonl")]):
        name = str(path.relative_to(DATA))
        if path.name in untouched:
            continue  # never tuned on: not even the phonetic matcher's false matches
        for row in map(json.loads, filter(str.strip, path.read_text("utf-8").splitlines())):
            if "expect" in row:
                out.append((name, row["text"], _labelled(row)))
            elif "answers" in row:
                for field, text in row["answers"].items():
                    if field in _SUMMARY_FIELDS:
                        labels = _rule_labels(_SUMMARY_FIELDS[field], text)
                    elif field.endswith("intensity"):
                        labels = _numbers(parse_intensity(text))
                    else:
                        labels = set()
                    out.append((f"{name}:{field}", text, labels))
            else:
                content = row.get("label") == "content" and row["kind"] in _ITEM_KINDS
                out.append((name, row["text"],
                            _rule_labels(row["kind"], row["text"]) if content else set()))
    return out


def mishearings() -> dict:
    return tomllib.loads((DATA / "phonetic" / "mishearings.toml").read_text("utf-8"))


def spelled(text: str, meaning: str) -> bool:
    """The phrase rules (spelling) already find this kind:label in the text."""
    from companion.understand import analysis

    kind, label = meaning.split(":")
    if kind in _ITEM_KINDS:
        return f"{kind}:{label}" in _rule_labels(kind, text)
    if kind == "commands":
        return analysis.detect_command(text) == label
    if kind == "yesno":
        return analysis.parse_yesno(text) == label
    return f"{kind}:{label}" in _numbers(analysis.parse_intensity(text))


def _pct(times: list[float], q: float) -> str:
    ordered = sorted(times)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.2f} ms"


def main() -> None:
    from companion.understand.phonemes import EspeakPhonemizer
    from companion.understand.phonetic import PhoneticIndex, find, match
    from companion.understand.text import BREAK, tokens

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every false match")
    verbose = parser.parse_args().verbose
    index = PhoneticIndex.load()
    rows = answers()

    false, by_file = [], Counter()
    espeak_times, match_times = [], []
    warm = EspeakPhonemizer()
    for name, text, expected in rows:
        fresh = EspeakPhonemizer()
        start = time.perf_counter()
        found = find(text, index, fresh)
        espeak_times.append(time.perf_counter() - start)
        words = tokens(text)
        keys = warm.keys(w for w in words if w != BREAK)
        start = time.perf_counter()
        match(words, keys, index)
        match_times.append(time.perf_counter() - start)
        for m in found:
            if f"{m.kind}:{m.label}" not in expected:
                false.append((name, text, m))
                by_file[name.split(":")[0]] += 1

    print(f"answers: {len(rows)} texts from {len({n.split(':')[0] for n, _, _ in rows})} files, "
          f"{len(index.sound)} terms matched by sound, {len(index.terms)} in all")
    print(f"false matches: {len(false)}")
    texts = Counter(name.split(":")[0] for name, _, _ in rows)
    for name in sorted(texts):
        print(f"  {name}: {by_file[name]} in {texts[name]} texts")
    for name, text, m in false if verbose else false[:20]:
        print(f"  {name}: {m.heard!r} ~ {m.term!r} -> {m.kind}:{m.label} ({m.score})  | {text}")

    data = mishearings()
    phonemizer = EspeakPhonemizer()
    tally = Counter()
    print("mishearings:")
    for case in data["heard"]:
        got = {f"{m.kind}:{m.label}": m for m in find(case["text"], index, phonemizer)}
        m, by_rules = got.get(case["means"]), spelled(case["text"], case["means"])
        reach = "out of reach" if case.get("reach") is False else "in reach"
        tally["cases"] += 1
        tally["rules" if by_rules else "sound" if m else f"missed, {reach}"] += 1
        tally["rules and sound"] += bool(by_rules and m)
        shown = (f"sound: {m.heard!r} ~ {m.term!r} ({m.score})" if m else "sound: -")
        print(f"  {'HIT ' if m or by_rules else 'miss'} {case['text']!r} -> {case['means']}  "
              f"[{shown}; rules: {'yes' if by_rules else 'no'}; {reach}]")
    ordinary_false = 0
    for case in data["ordinary"]:
        got = {f"{m.kind}:{m.label}" for m in find(case["text"], index, phonemizer)}
        if case["not"] in got:
            ordinary_false += 1
            print(f"  FALSE {case['text']!r} -> {case['not']}")
    print(f"mishearings: {tally['cases']} cases; {tally['sound']} found by sound only, "
          f"{tally['rules']} by the phrase rules already (sound too: {tally['rules and sound']}), "
          f"missed: {tally['missed, in reach']} in reach, {tally['missed, out of reach']} "
          "marked out of reach")
    print(f"ordinary sound-alikes matched: {ordinary_false}/{len(data['ordinary'])}")
    print(f"time per answer, find() with one espeak-ng run: p50 {_pct(espeak_times, .5)}, "
          f"p99 {_pct(espeak_times, .99)}, mean {statistics.mean(espeak_times) * 1000:.2f} ms")
    print(f"time per answer, match() alone (keys known):     p50 {_pct(match_times, .5)}, "
          f"p99 {_pct(match_times, .99)}, max {max(match_times) * 1000:.2f} ms")


if __name__ == "__main__":
    main()

"""Crisis detection: suicide risk, self-harm that happened, overdose (see vocab/crisis.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from companion.analysis_items import clause_ends, late_tail, negated
from companion.analysis_text import BREAK, tokens
from companion.analysis_vocab import VETO, Span, candidates, expand, load

CRISIS_KINDS = ("suicide", "self_harm_done", "overdose")

DENIAL_SCOPE = 3
"""Crisis denials must sit close to the phrase: a wider reach would risk missing a crisis."""

_UNCLEAR = "suicide_unclear"

LEADING_FILLERS = frozenset({"um", "uh", "so", "honestly", "yeah", "and", "like", "well", "just",
                             "okay", "ok", "i mean", "basically", "but"})

LATE_DENIALS = frozenset({"not anymore", "not any more", "i do not anymore", "not now",
                          "not for a long time", "not in a long time", "not these days",
                          "i do not now", "not anymore thankfully", "i am better now"})
"""'..., but not anymore': what came before is history, not now."""


@dataclass(frozen=True)
class Rule:
    """A cue followed closely by a target (see [rules] in crisis.toml)."""

    kind: str
    cues: frozenset[tuple[str, ...]]
    targets: frozenset[tuple[str, ...]]
    window: int
    between: frozenset[str]
    subject: frozenset[str]
    subject_window: int
    subject_blockers: frozenset[str]


def _phrases(patterns: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(p.split()) for pattern in patterns for p in expand(pattern) if p)


@cache
def _rules() -> tuple[Rule, ...]:
    """The cue/target rules of crisis.toml, compiled once."""
    return tuple(Rule(spec["kind"], _phrases(spec["cues"]), _phrases(spec["targets"]),
                      int(spec.get("window", 6)), frozenset(spec.get("between", ())),
                      frozenset(spec.get("subject", ())), int(spec.get("subject_window", 3)),
                      frozenset(spec.get("subject_blockers", ())))
                 for spec in load("crisis").rules.values())


def _occurrences(toks: tuple[str, ...], phrases: frozenset[tuple[str, ...]], start: int,
                 stop: int) -> list[tuple[int, int]]:
    """(start, end) of each phrase beginning at a position in [start, stop)."""
    longest = max((len(p) for p in phrases), default=0)
    firsts = _firsts(phrases)
    return [(i, i + n) for i in range(start, min(stop, len(toks))) if toks[i] in firsts
            for n in range(1, longest + 1) if toks[i:i + n] in phrases]


@cache
def _firsts(phrases: frozenset[tuple[str, ...]]) -> frozenset[str]:
    return frozenset(p[0] for p in phrases)


def _many(word: str) -> bool:
    """A written count of three or more ('took 12 pills')."""
    return word.isdigit() and 3 <= int(word[:6]) <= 10_000


def _has_subject(rule: Rule, toks: tuple[str, ...], at: int) -> bool:
    """The rule's subject shortly before position `at`, with no intent word in between."""
    before = toks[max(0, at - rule.subject_window):at]
    for k in range(len(before) - 1, -1, -1):
        if before[k] in rule.subject:
            return not rule.subject_blockers & set(before[k + 1:])
    return False


def _apply(rule: Rule, toks: tuple[str, ...]) -> list[Span]:
    found = []
    for c_start, c_end in _occurrences(toks, rule.cues, 0, len(toks)):
        if rule.subject and not _has_subject(rule, toks, c_start):
            continue
        limit = c_end + rule.window + 1
        if BREAK in toks[c_end:limit]:
            limit = toks.index(BREAK, c_end)
        for t_start, t_end in _occurrences(toks, rule.targets, c_end, limit):
            middle = toks[c_end:t_start]
            if rule.between and not any(w in rule.between or _many(w) for w in middle):
                continue
            found.append(Span(c_start, t_end, rule.kind))
            break
    return found


def _unvetoed(found: list[Span]) -> list[Span]:
    """Spans not overlapping an idiom; overlaps between kinds are kept so no kind is lost."""
    vetoes = [s for s in found if s.item == VETO]
    return sorted((s for s in found if s.item != VETO and not any(
        v.start < s.end and s.start < v.end for v in vetoes)), key=lambda s: (s.start, -s.end))


def _whole_clauses(toks: tuple[str, ...], whole: dict[str, str]) -> list[Span]:
    """Sentences that are, apart from leading fillers, exactly a 'whole' phrase."""
    found, start = [], 0
    for end in [*(i for i, t in enumerate(toks) if t == BREAK), len(toks)]:
        i = start
        while i < end and toks[i] in LEADING_FILLERS:
            i += 1
        item = whole.get(" ".join(toks[i:end]))
        if item:
            found.append(Span(i, end, item))
        start = end + 1
    return found


def _taken_back(toks: tuple[str, ...], span: Span, ends: list[int]) -> bool:
    """True when the sentence goes on 'but not anymore' (a past state, said as past)."""
    return late_tail(toks, span, ends) in LATE_DENIALS


def detect_crisis(text: str) -> tuple[str, ...]:
    """Crisis kinds found in an answer, in order of first mention; () if none."""
    vocab = load("crisis")
    toks = tokens(text)
    if not toks:
        return ()
    found = candidates(vocab, toks) + _whole_clauses(toks, vocab.whole)
    for rule in _rules():
        found += _apply(rule, toks)
    found = _unvetoed(found)
    claimed = {i for s in found for i in range(s.start, s.end)}
    kinds: list[str] = []
    denied = False
    ends = clause_ends(toks)
    for span in found:
        if negated(toks, span, claimed, DENIAL_SCOPE) or _taken_back(toks, span, ends):
            denied = denied or span.item in ("suicide", _UNCLEAR)
            continue
        kinds.append(span.item)
    if denied:
        kinds = [k for k in kinds if k != _UNCLEAR]
    kinds = ["suicide" if k == _UNCLEAR else k for k in kinds]
    return tuple(dict.fromkeys(kinds))

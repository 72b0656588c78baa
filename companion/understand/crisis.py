"""Crisis detection: suicide risk, self-harm that happened, overdose (see vocab/crisis.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from companion.understand.items import clause_ends, late_tail, negated
from companion.understand.text import BREAK, tokens
from companion.understand.vocab import (
    CRISIS_KINDS,
    VETO,
    Span,
    Vocab,
    candidates,
    expand,
    load,
    rewrite,
)

__all__ = ["CRISIS_KINDS", "detect_crisis", "ruled_out"]

DENIAL_SCOPE = 3
"""Crisis denials must sit close to the phrase: a wider reach would risk missing a crisis."""

_UNCLEAR = "suicide_unclear"

_ENDING_MAX = 4
"""Longest sentence-ending phrase (tokens)."""

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


def _clauses(toks: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each sentence, leading fillers like 'um', 'so', 'honestly' skipped."""
    found, start = [], 0
    for end in [*(i for i, t in enumerate(toks) if t == BREAK), len(toks)]:
        i = start
        while i < end and toks[i] in LEADING_FILLERS:
            i += 1
        found.append((i, end))
        start = end + 1
    return found


def _whole_clauses(toks: tuple[str, ...], vocab: Vocab) -> list[Span]:
    """Sentences that are exactly a 'whole' phrase, or end with an 'ending' phrase."""
    found = []
    for start, end in _clauses(toks):
        item = vocab.whole.get(" ".join(toks[start:end]))
        if item:
            found.append(Span(start, end, item))
        for n in range(1, min(_ENDING_MAX, end - start) + 1):
            item = vocab.ending.get(" ".join(toks[end - n:end]))
            if item:
                found.append(Span(end - n, end, item))
    return found


@lru_cache(maxsize=512)
def _prepared(text: str) -> tuple[str, ...]:
    """Tokens without hesitation sounds, recognizer slips respelled ('mice self' -> 'myself')."""
    vocab = load("crisis")
    fillers = vocab.setting("fillers")
    return tuple(rewrite([t for t in tokens(text) if t not in fillers], vocab.respell))


def _said_before(toks: tuple[str, ...], at: int, phrases: frozenset[str], reach: int) -> bool:
    before = f" {' '.join(toks[max(0, at - reach):at])} "
    return any(f" {p} " in before for p in phrases)


def _someone_else(toks: tuple[str, ...], span: Span, settings: dict) -> bool:
    """'she wants to die': a phrase right after another person is about them, not the client."""
    k = span.start - 1
    while k >= 0 and toks[k] in settings["third_party_skip"]:
        k -= 1
    if k < 0 or toks[k] not in settings["third_party"]:
        return False
    rest = f" {' '.join(toks[span.end:])} "
    return not any(f" {p} " in rest for p in settings["me_too"])


def _rated_zero(toks: tuple[str, ...], span: Span, settings: dict) -> bool:
    """'suicide urge zero': a zero rating right after the phrase denies it."""
    for tok in toks[span.end:span.end + 4]:
        if tok in settings["zero_words"]:
            return True
        if tok not in settings["rating_words"]:
            return False
    return False


def _answered_no(toks: tuple[str, ...], span: Span, settings: dict) -> bool:
    """'... asked if i'm suicidal and i said no': the answer ends by saying no."""
    tail = " ".join(t for t in toks[span.end:] if t != BREAK)
    return any(tail == p or tail.endswith(f" {p}") for p in settings["answered_no"])


def _denied(toks: tuple[str, ...], span: Span, claimed: set[int], ends: list[int],
            settings: dict) -> bool:
    """True when the answer takes the phrase back (negation, zero rating, 'but not anymore')."""
    if span.item in ("suicide", _UNCLEAR) and _said_before(toks, span.start,
                                                          settings["averting"], 7):
        return False
    return (negated(toks, span, claimed, DENIAL_SCOPE) or _taken_back(toks, span, ends)
            or _rated_zero(toks, span, settings) or _answered_no(toks, span, settings))


def _taken_back(toks: tuple[str, ...], span: Span, ends: list[int]) -> bool:
    """True when the sentence goes on 'but not anymore' (a past state, said as past)."""
    return late_tail(toks, span, ends) in LATE_DENIALS


@cache
def _settings() -> dict[str, frozenset[str]]:
    vocab = load("crisis")
    names = ("third_party", "third_party_skip", "me_too", "averting", "zero_words",
             "rating_words")
    found = {name: vocab.setting(name) for name in names}
    found["answered_no"] = frozenset(p for pattern in vocab.settings.get("answered_no", ())
                                     for p in expand(pattern))
    return found


def ruled_out(text: str) -> bool:
    """Whether the answer holds a phrase crisis.toml [not] lists as no crisis ('counting pills
    at the med cart', 'a patient overdosed'): the rules know this context."""
    toks = _prepared(text or "")
    return bool(toks) and any(s.item == VETO for s in candidates(load("crisis"), toks))


def detect_crisis(text: str) -> tuple[str, ...]:
    """Crisis kinds found in an answer, in order of first mention; () if none."""
    vocab = load("crisis")
    toks = _prepared(text or "")
    if not toks:
        return ()
    found = candidates(vocab, toks) + _whole_clauses(toks, vocab)
    for rule in _rules():
        found += _apply(rule, toks)
    found = _unvetoed(found)
    claimed = {i for s in found for i in range(s.start, s.end)}
    settings = _settings()
    kinds: list[str] = []
    denied = False
    ends = clause_ends(toks)
    for span in found:
        if _someone_else(toks, span, settings):
            continue
        if _denied(toks, span, claimed, ends, settings):
            denied = denied or span.item in ("suicide", _UNCLEAR)
            continue
        kinds.append(span.item)
    if denied:
        kinds = [k for k in kinds if k != _UNCLEAR]
    kinds = ["suicide" if k == _UNCLEAR else k for k in kinds]
    return tuple(dict.fromkeys(kinds))

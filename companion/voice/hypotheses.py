"""Choosing among a recognizer's hypotheses the one the question's vocabulary explains best."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Scorer = Callable[[str], float]
"""How well the question's vocabulary explains a hypothesis' text (higher: better)."""

GRAMMAR, OPEN = "grammar", "open"
MOSTLY_UNKNOWN = 0.5
"""A phrase-list decode with more than this share of its words heard as [unk] is a sentence
the list could not follow: its few phrases are not the client's answer (their words are)."""


@dataclass(frozen=True)
class Hypothesis:
    """One reading of an answer."""

    text: str
    words: tuple[tuple[str, float], ...] = ()
    """Each word with its confidence (0-1)."""
    source: str = OPEN
    """GRAMMAR: decoded against the question's phrase list; OPEN: open dictation."""
    unknown: int = 0
    """Words a phrase-list decode heard only as [unk] (not in `text`)."""

    @property
    def unknown_share(self) -> float:
        """The share of the words heard that the phrase list could not name (0-1)."""
        said = len(self.text.split()) + self.unknown
        return self.unknown / said if said else 0.0


def phrase_count(phrases: Iterable[str]) -> Scorer:
    """A scorer counting the `phrases` a text says, whole words only, the longest phrase first
    at each place and each word counted once ("seven and a half": "seven", "and a half")."""
    table = {tuple(p.lower().split()) for p in phrases if p.strip()}
    longest = max((len(p) for p in table), default=0)

    def score(text: str) -> float:
        toks, i, found = _tokens(text), 0, 0
        while i < len(toks):
            size = next((n for n in range(min(longest, len(toks) - i), 0, -1)
                         if tuple(toks[i : i + n]) in table), 0)
            found += size > 0
            i += size or 1
        return float(found)

    return score


def choose(hypotheses: Sequence[Hypothesis], scorer: Scorer, *,
           mostly_unknown: float = MOSTLY_UNKNOWN) -> Hypothesis:
    """The hypothesis `scorer` rates highest; a tie goes to the earliest (the recognizer's top),
    except that a phrase-list decode that skipped words as [unk] gives way to open dictation,
    which kept them (the answer's words are the client's words).

    A phrase-list decode that is mostly [unk] is passed over while open dictation heard the
    answer: a long sentence keeps the client's own words, not the few phrases found in it.
    """
    usable = [h for h in hypotheses
              if h.source != GRAMMAR or h.unknown_share <= mostly_unknown] or list(hypotheses)
    if not usable:
        return Hypothesis("")

    def rank(item: tuple[int, Hypothesis]) -> tuple[float, bool, int]:
        place, h = item
        return scorer(h.text), not (h.source == GRAMMAR and h.unknown), -place

    return max(enumerate(usable), key=rank)[1]


@dataclass(frozen=True)
class Rereading:
    """When another of a recognizer's readings of the audio replaces the one it wrote
    (data/asr_vocabulary.toml [alternatives])."""

    kinds: frozenset[str] = frozenset()
    """Kinds of question whose answers may be read again (never free answers)."""
    count: int = 5
    """Readings asked for (beam search: Whisper's `count` best)."""
    margin: float = 1.0
    """A reading counts only within this much of the best reading's log-probability per token."""
    kept: frozenset[str] = frozenset()
    """Words a reading must keep when the recognizer wrote them ('none', 'not', 'no')."""


def reread(heard: str, readings: Sequence[tuple[str, float]], scorer: Scorer, rule: Rereading,
           also: Sequence[str] = ()) -> str | None:
    """The reading to keep instead of `heard`, of which the question's vocabulary explains
    nothing; None when no reading explains more.

    `readings`: (text, log-probability per token) of the same audio. Of those within
    `rule.margin` of the best, the one `scorer` rates highest (a tie: the earlier), if above
    zero. A reading that leaves out a `rule.kept` word written in `heard` or in `also` (other
    decodes of the same audio) never counts: "none yet" is not "Nonjudgmental", whatever the
    question's vocabulary prefers."""
    if not readings:
        return None
    best = max(score for _, score in readings)
    kept = {w for text in (heard, *also) for w in _tokens(text) if w in rule.kept}
    ranked = [(scorer(text), -place, text) for place, (text, score) in enumerate(readings)
              if score >= best - rule.margin and kept <= set(_tokens(text))]
    if not ranked:
        return None
    explains, _, text = max(ranked)
    return text if explains > 0 else None


def joined(parts: Sequence[Hypothesis]) -> Hypothesis:
    """Stretches of one answer (a recognizer finalises each pause on its own) as one."""
    if len(parts) == 1:
        return parts[0]
    return Hypothesis(text=" ".join(p.text for p in parts if p.text),
                      words=tuple(w for p in parts for w in p.words),
                      source=parts[0].source if parts else OPEN,
                      unknown=sum(p.unknown for p in parts))


def posteriors(scores: Sequence[float]) -> list[float]:
    """Log-likelihood scores of an n-best list as shares of the list (softmax, 0-1)."""
    if not scores:
        return []
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def _tokens(text: str) -> list[str]:
    return [t for t in (w.strip(".,!?;:\"").lower() for w in text.split()) if t]

"""Finding a skill by what someone said: names, aliases and recognizer slips, fuzzily."""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Callable, Sequence

from companion.guide.model import Skill, normalise

Similarity = Callable[[str, str], float]
"""Scores two normalised phrases from 0 (unrelated) to 100 (same)."""

# Words people wrap around a skill's name ("let's do the STOP skill, please").
FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "skill",
        "skills",
        "please",
        "do",
        "some",
        "let",
        "lets",
        "let's",
        "us",
        "try",
        "me",
        "my",
        "i",
        "i'd",
        "want",
        "to",
        "can",
        "we",
        "could",
        "like",
        "for",
        "start",
        "go",
        "through",
        "guide",
        "help",
        "with",
        "practice",
        "practise",
    ]
)
CUTOFF = 82.0  # below this a name is not a match ("nothing" is 80 from "soothing")
MARGIN = 3.0  # a near tie between two different skills is not a match: ask instead


def match_key(text: str) -> str:
    """What a name is compared on: normalised, without filler words."""
    words = normalise(text).split()
    return " ".join(w for w in words if w not in FILLER) or " ".join(words)


def _word_run(a: str, b: str) -> bool:
    """One phrase is a run of whole words of the other ("breathing" in "paced breathing")."""
    return bool(a and b and (f" {a} " in f" {b} " or f" {b} " in f" {a} "))


def difflib_similarity(a: str, b: str) -> float:
    """Stdlib fallback: sequence ratio, or 90 when one phrase is a run of the other's words."""
    ratio = 100 * difflib.SequenceMatcher(None, a, b).ratio()
    return max(90.0, ratio) if _word_run(a, b) else ratio


def default_similarity() -> Similarity:
    """The same rule with rapidfuzz's (faster) ratios when it is installed, else difflib's.

    Whole-phrase ratios only: partial matching (WRatio) let short replies match pieces of
    long aliases ("the first one" -> "one minute exercise")."""
    if importlib.util.find_spec("rapidfuzz") is None:
        return difflib_similarity
    from rapidfuzz import fuzz

    def similarity(a: str, b: str) -> float:
        ratio = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
        return max(90.0, ratio) if _word_run(a, b) else float(ratio)

    return similarity


def ranked(
    name: str, skills: Sequence[Skill], similarity: Similarity | None = None
) -> list[tuple[float, Skill]]:
    """Every skill with its best score against `name`, best first."""
    score = similarity or default_similarity()
    key = match_key(name)
    if not key:
        return []
    best = [(max(score(key, match_key(n)) for n in (s.id, s.name, *s.aliases)), s) for s in skills]
    return sorted(best, key=lambda pair: -pair[0])


def find_skill(
    name: str, skills: Sequence[Skill], similarity: Similarity | None = None
) -> Skill | None:
    """The skill `name` means, allowing filler words and recognizer slips; None if unsure."""
    scores = ranked(name, skills, similarity)
    if not scores or scores[0][0] < CUTOFF:
        return None
    top, skill = scores[0]
    if top < 100 and len(scores) > 1 and top - scores[1][0] < MARGIN:
        return None
    return skill


def suggest(name: str, skills: Sequence[Skill], similarity: Similarity | None = None) -> str:
    """A spoken reply for a name that matched no skill: near misses, then every skill."""
    near = [s.name for score, s in ranked(name, skills, similarity)[:2] if score >= 60]
    listing = ", ".join(s.name for s in skills)
    said = " ".join(name.split()) or "that"
    if near:
        return (
            f"I'm not sure which skill '{said}' is. Did you mean {' or '.join(near)}? "
            f"The skills I can guide are: {listing}."
        )
    return f"I don't know a skill called '{said}'. The skills I can guide are: {listing}."

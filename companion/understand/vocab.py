"""Vocabulary files (companion/data/vocab/*.toml) compiled into exact and fuzzy phrase matchers."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from companion.understand.text import BREAK

VETO = "_not"
"""Pseudo-id of idioms that cancel any phrase they overlap ('kill time', 'beating fast')."""

MAX_WINDOW = 8
"""Longest phrase considered (tokens); bounds the work per token."""

FUZZY_TOKENS = 150
"""Only this many leading tokens get fuzzy and run-together matching; later ones (long typed
rambles) are matched exactly, which keeps a 10,000-character answer fast."""

_GROUP = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Entry:
    """One spoken phrase and what it means."""

    item: str
    ambiguous: bool = False
    exact_only: bool = False


@dataclass(frozen=True)
class Span:
    """A phrase found in the token list: tokens[start:end] mean `item`."""

    start: int
    end: int
    item: str
    ambiguous: bool = False
    exact: bool = True


@dataclass
class Vocab:
    """A compiled vocabulary: lookup tables plus the settings of its file."""

    exact: dict[str, Entry] = field(default_factory=dict)
    joined: dict[str, Entry] = field(default_factory=dict)
    fuzzy: dict[int, list[str]] = field(default_factory=dict)
    positions: dict[int, list[set[str]]] = field(default_factory=dict)
    """For fuzzy phrases of each length: the words found at each position (a quick filter)."""
    settings: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    whole: dict[str, str] = field(default_factory=dict)
    ending: dict[str, str] = field(default_factory=dict)
    """Phrases that count only when they end a sentence ('i just cut')."""
    respell: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    """Recognizer slips rewritten before matching ('mice self' -> 'myself')."""
    starts: set[str] = field(default_factory=set)
    longest: int = 1

    def setting(self, name: str) -> frozenset[str]:
        return frozenset(self.settings.get(name, ()))


def expand(pattern: str) -> list[str]:
    """'(took|swallowed) all my (pills|meds|)' -> every spelled-out phrase; empty option = optional."""
    parts = _GROUP.split(pattern)
    options = [p.split("|") if i % 2 else [p] for i, p in enumerate(parts)]
    return [" ".join("".join(combo).split()) for combo in itertools.product(*options)]


def rewrite(words: Sequence[str], table: Mapping[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    """Words with the longest matching runs of `table` replaced, left to right; a run that
    maps to () is dropped ("mice self" -> "myself"; "kind of" -> nothing)."""
    longest = max(map(len, table), default=0)
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            meant = table.get(tuple(words[i:i + n]))
            if meant is not None:
                out.extend(meant)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _add(vocab: Vocab, phrase: str, entry: Entry) -> None:
    words = phrase.split()
    if not words:
        return
    key = " ".join(words)
    vocab.exact.setdefault(key, entry)
    vocab.starts.add(words[0])
    vocab.longest = max(vocab.longest, min(len(words), MAX_WINDOW))
    if len(words) > 1:
        vocab.joined.setdefault("".join(words), entry)
    if not entry.exact_only and not entry.ambiguous and len(key) >= 7:
        vocab.fuzzy.setdefault(len(words), []).append(key)
        slots = vocab.positions.setdefault(len(words), [set() for _ in words])
        for slot, word in zip(slots, words, strict=True):
            slot.add(word)


@cache
def load(name: str) -> Vocab:
    """A vocabulary file compiled once per process."""
    text = resources.files("companion.data").joinpath("vocab", f"{name}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    vocab = Vocab(settings=data.get("settings", {}), rules=data.get("rules", {}))
    for item, spec in data.get("ids", {}).items():
        target = spec.get("means", item)
        for key, amb, exact in (("phrases", False, False), ("exact", False, True),
                                ("ambiguous", True, True)):
            for pattern in spec.get(key, ()):
                for phrase in expand(pattern):
                    _add(vocab, phrase, Entry(target, amb, exact))
        for pattern in spec.get("whole", ()):
            vocab.whole.update(dict.fromkeys(expand(pattern), target))
        for pattern in spec.get("ending", ()):
            vocab.ending.update(dict.fromkeys(expand(pattern), target))
    for heard, meant in data.get("respell", {}).items():
        vocab.respell[tuple(heard.split())] = tuple(meant.split())
    nots = data.get("not", {})
    groups = [nots, *(sub for sub in nots.values() if isinstance(sub, dict))]
    for pattern in (p for group in groups for p in group.get("phrases", ())):
        for phrase in expand(pattern):
            _add(vocab, phrase, Entry(VETO, exact_only=True))
    return vocab


def _pair_ok(heard: str, meant: str, cutoff: float = 75) -> bool:
    """Two single words close enough to be a recognizer slip."""
    if heard == meant:
        return True
    shorter = min(len(heard), len(meant))
    if shorter < 4 or abs(len(heard) - len(meant)) > (2 if shorter >= 6 else 1):
        return False
    if heard[0] != meant[0] and len(meant) < 7:
        return False
    return fuzz.ratio(heard, meant) >= cutoff


def fuzzy_lookup(vocab: Vocab, words: tuple[str, ...], pair_cutoff: float = 75) -> Entry | None:
    """Best fuzzy phrase for a window of words, token-aligned, or None.

    Single words must keep their first letter and length (within one); in phrases at least half
    the words must be exact and every other word a close slip of its counterpart.
    """
    choices = vocab.fuzzy.get(len(words))
    text = " ".join(words)
    if not choices or len(text) < 7 or len(text) > 60:
        return None
    if len(words) > 1:
        # a phrase is accepted below only if half its words are exact, position by position;
        # when no phrase could have that many, skip the costly search (same results, faster)
        slots = vocab.positions[len(words)]
        if 2 * sum(w in slot for w, slot in zip(words, slots, strict=True)) < len(words):
            return None
    cutoff = 85 if len(words) == 1 else 84
    for key, _score, _i in process.extract(text, choices, scorer=fuzz.ratio,
                                           score_cutoff=cutoff, limit=3):
        meant = key.split()
        if len(words) == 1 and (abs(len(key) - len(text)) > 1 or key[0] != text[0]):
            continue
        exact = sum(a == b for a, b in zip(words, meant))
        if len(words) > 1 and exact * 2 < len(words):
            continue
        if all(_pair_ok(a, b, pair_cutoff) for a, b in zip(words, meant)):
            return vocab.exact[key]
    return None


def spans(vocab: Vocab, toks: tuple[str, ...]) -> list[Span]:
    """Phrases found in the tokens, overlaps resolved and idioms applied."""
    return resolve(candidates(vocab, toks))


def candidates(vocab: Vocab, toks: tuple[str, ...]) -> list[Span]:
    """Every phrase occurrence (exact, run-together or fuzzy), overlapping, idioms included."""
    found: list[Span] = []
    for i in range(len(toks)):
        if i >= FUZZY_TOKENS and toks[i] not in vocab.starts:
            continue
        for n in range(1, vocab.longest + 1):
            words = toks[i:i + n]
            if len(words) < n or BREAK in words:
                break
            entry = vocab.exact.get(" ".join(words))
            if entry is None and i < FUZZY_TOKENS:
                entry = vocab.joined.get("".join(words))
            is_exact = entry is not None
            if entry is None and i < FUZZY_TOKENS:
                entry = fuzzy_lookup(vocab, words)
            if entry is not None:
                found.append(Span(i, i + n, entry.item, entry.ambiguous, is_exact))
    return found


def resolve(found: list[Span]) -> list[Span]:
    """Longest (then exact, then earliest) phrases win; idioms cancel what they overlap."""
    vetoes = [s for s in found if s.item == VETO]
    kept: list[Span] = []
    taken: set[int] = set()
    for s in sorted(found, key=lambda s: (s.start - s.end, not s.exact, s.start)):
        if s.item == VETO or any(v.start < s.end and s.start < v.end for v in vetoes):
            continue
        cells = set(range(s.start, s.end))
        if cells & taken:
            continue
        taken |= cells
        kept.append(s)
    return sorted(kept, key=lambda s: s.start)

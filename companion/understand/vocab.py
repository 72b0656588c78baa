"""Vocabulary files (companion/data/vocab/*.toml) compiled into exact and fuzzy phrase matchers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from companion.data import DataError, check_keys, list_files, parse_toml, read_text
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
    """'(took|swallowed) all my (pills|meds|)' -> every spelled-out phrase; empty option = optional.
    Groups do not nest: a pattern with '(' or ')' left over raises DataError (it would never
    match, silently)."""
    parts = _GROUP.split(pattern)
    if any(c in part for i, part in enumerate(parts) for c in "()"):
        raise DataError(f"pattern {pattern!r}: groups cannot nest or be left open")
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


# What each vocabulary file may hold. A key outside these (a misspelt "phrase", a stray table)
# or a value of the wrong type stops the load with a DataError naming file, table and key, so
# nothing a clinician writes is silently ignored.
_WORDS = "list of strings"
_TEXT = "string"
_WHOLE_NUMBER = "whole number"
_ID_KEYS = {"means": _TEXT, "phrases": _WORDS, "exact": _WORDS, "ambiguous": _WORDS}
_CRISIS_ID_KEYS = {**_ID_KEYS, "whole": _WORDS, "ending": _WORDS}
_ITEM_SETTINGS = {**dict.fromkeys(("context_before", "context_after", "fillers",
                                   "not_done_before", "not_done_after", "others", "others_kept",
                                   "corrections", "corrections_far", "others_after",
                                   "past_after", "gone_now", "late_denial_starts", "turning_cues"),
                                  _WORDS),
                  "subject_scope": _WHOLE_NUMBER}
_RULE_KEYS = {"kind": _TEXT, "cues": _WORDS, "targets": _WORDS, "window": _WHOLE_NUMBER,
              "between": _WORDS, "subject": _WORDS, "subject_window": _WHOLE_NUMBER,
              "subject_blockers": _WORDS}
_RULE_REQUIRED = ("kind", "cues", "targets")
CRISIS_KINDS = ("suicide", "self_harm_done", "overdose")
"""The crisis kinds a crisis.toml rule may raise (and detect_crisis reports)."""
CRISIS_MEANINGS = (*CRISIS_KINDS, "suicide_unclear")
"""What a crisis.toml id may mean (`means`, or the id's own name when `means` is left out)."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "emotions": {"settings": _ITEM_SETTINGS, "ids": _ID_KEYS, "not": "not"},
    "urges": {"settings": _ITEM_SETTINGS, "ids": _ID_KEYS, "not": "not"},
    "skills": {"settings": _ITEM_SETTINGS, "ids": _ID_KEYS, "not": "not"},
    "commands": {"settings": dict.fromkeys(("leading", "trailing", "lead_words", "reasons",
                                             "trail_not_after", "trail_openers", "ask_openers",
                                             "vague_requests", "phrase_reasons", "reported"),
                                            _WORDS), "ids": _ID_KEYS},
    "yesno": {"settings": dict.fromkeys(("whole_only", "leading", "safe_yes", "safe_no",
                                         "plain_after_yes", "um_before_no", "hedges"), _WORDS),
              "ids": _ID_KEYS},
    "people": {"others": _WORDS},
    "risk": {"words": _WORDS, "phrases": _WORDS, "idioms": _WORDS, "softeners": _WORDS,
             "means_at_hand": _WORDS, "told_as_context": _WORDS, "history": _WORDS,
             "recent": _WORDS},
    "crisis": {
        "settings": dict.fromkeys(("fillers", "third_party", "third_party_skip", "me_too",
                                   "averting", "zero_words", "rating_words", "answered_no"),
                                  _WORDS),
        "ids": _CRISIS_ID_KEYS, "rules": "rules", "not": "not", "respell": "respell"},
}
"""Per file: top-level key -> the type of its value, the keys of its table ({key: type}), the
keys of each of its named tables (ids), or a special layout ("not", "rules", "respell")."""


def _where(source: str, table: str) -> str:
    return f"{source} [{table}]" if table else source


def _type_ok(value: Any, kind: str) -> bool:
    if kind == _WORDS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == _TEXT:
        return isinstance(value, str)
    return isinstance(value, int) and not isinstance(value, bool)


def _check_value(value: Any, kind: str, source: str, table: str, key: str) -> None:
    if not _type_ok(value, kind):
        raise DataError(f"{_where(source, table)}: {key} must be a {kind}, not "
                        f"{type(value).__name__} ({value!r:.60})")


def _check_is_table(value: Any, source: str, table: str) -> None:
    if not isinstance(value, dict):
        raise DataError(f"{_where(source, table)}: must be a table, not {type(value).__name__}")


def _check_table(table: Any, keys: dict[str, str], source: str, name: str) -> None:
    """A table whose keys must all be in `keys`, each value of its type."""
    _check_is_table(table, source, name)
    check_keys(table, keys, _where(source, name))
    for key, value in table.items():
        _check_value(value, keys[key], source, name, key)


def _check_named(tables: Any, keys: dict[str, str], source: str, name: str) -> None:
    """[name.X] tables (ids), each with keys from `keys`."""
    _check_is_table(tables, source, name)
    for item, table in tables.items():
        _check_table(table, keys, source, f"{name}.{item}")


def _check_not(table: Any, source: str, name: str) -> None:
    """[not]: `phrases`, and any number of groups [not.X] each holding only `phrases`."""
    _check_is_table(table, source, name)
    for key, value in table.items():
        if isinstance(value, dict):
            _check_table(value, {"phrases": _WORDS}, source, f"{name}.{key}")
        elif key == "phrases":
            _check_value(value, _WORDS, source, name, key)
        else:
            raise DataError(f"{_where(source, name)}: unknown key(s) {key}; allowed: phrases, "
                            f"or a table [{name}.GROUP] holding phrases")


def _check_rules(tables: Any, source: str, name: str) -> None:
    """[rules.X]: one cue/target rule each (see crisis.toml)."""
    _check_named(tables, _RULE_KEYS, source, name)
    for rule_name, rule in tables.items():
        where = _where(source, f"{name}.{rule_name}")
        missing = [key for key in _RULE_REQUIRED if key not in rule]
        if missing:
            raise DataError(f"{where}: missing {', '.join(missing)}")
        if rule["kind"] not in CRISIS_KINDS:
            raise DataError(f"{where}: kind {rule['kind']!r} is not one of "
                            f"{', '.join(CRISIS_KINDS)}")


def _check_respell(table: Any, source: str, name: str) -> None:
    """[respell]: "heard" = "meant", both strings."""
    _check_is_table(table, source, name)
    for heard, meant in table.items():
        _check_value(meant, _TEXT, source, name, f'"{heard}"')


_LAYOUTS = {"not": _check_not, "rules": _check_rules, "respell": _check_respell}


def check(data: dict[str, Any], name: str, source: str | None = None) -> None:
    """DataError unless `data` (vocabulary file `name`, parsed) has only known tables and keys,
    each value of the right type. The message names the file, the table and the key."""
    source = source or f"vocab/{name}.toml"
    schema = SCHEMAS.get(name)
    if schema is None:
        raise DataError(f"{source}: no schema for a vocabulary named {name!r} "
                        f"(known: {', '.join(SCHEMAS)})")
    check_keys(data, schema, source)
    for top, value in data.items():
        spec = schema[top]
        if isinstance(spec, str) and spec in _LAYOUTS:
            _LAYOUTS[spec](value, source, top)
        elif isinstance(spec, str):
            _check_value(value, spec, source, "", top)
        elif top == "ids":
            _check_named(value, spec, source, top)
        else:
            _check_table(value, spec, source, top)
    if name == "crisis":
        for item, entry in data.get("ids", {}).items():
            meaning = entry.get("means", item)
            if meaning not in CRISIS_MEANINGS:
                raise DataError(f"{source} [ids.{item}]: means {meaning!r} is not one of "
                                f"{', '.join(CRISIS_MEANINGS)} (set `means`)")


def parse(text: str, name: str, source: str | None = None) -> dict[str, Any]:
    """The text of vocabulary file `name` ('crisis', 'emotions', ...) parsed and checked."""
    source = source or f"vocab/{name}.toml"
    data = parse_toml(text, source)
    check(data, name, source)
    return data


@cache
def data(name: str) -> dict[str, Any]:
    """A packaged vocabulary file as checked TOML data (cached per process)."""
    return parse(read_text("vocab", f"{name}.toml"), name)


def packaged() -> tuple[str, ...]:
    """The names of the packaged vocabulary files ('commands', 'crisis', ...)."""
    return tuple(sorted(list_files("vocab")))


def compile_vocab(data: Mapping[str, Any]) -> Vocab:
    """Checked vocabulary data compiled into lookup tables."""
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


@cache
def load(name: str) -> Vocab:
    """A vocabulary file, checked and compiled once per process; an item vocabulary without its
    own `others` gets people.toml's."""
    found = data(name)
    if "others" in SCHEMAS.get(name, {}).get("settings", {}) and \
            "others" not in found.get("settings", {}):
        found = {**found, "settings": {**found.get("settings", {}),
                                       "others": data("people")["others"]}}
    return compile_vocab(found)


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

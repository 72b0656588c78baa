"""Heard words matched to the DBT vocabulary by sound: 'this top skill' ~ 'the stop skill'.

Entry points:
    index = PhoneticIndex.load()                            # data/phonetic_keys.json, cached
    find(text, index, phonemizer) -> list[PhoneticMatch]    # one espeak-ng run per answer
    match(words, keys, index) -> list[PhoneticMatch]        # pure: tokens + their phoneme keys

Only what spelling cannot find is reported: a heard phrase that IS vocabulary is left to the
phrase rules (understand/vocab.py). Runs of one to MAX_WORDS heard words are compared with the
terms that may be matched by sound (chosen by scripts/build_phonetic.py) as phoneme keys, one
character per phoneme (understand/phonemes.py): rapidfuzz picks candidates, then a weighted edit
distance decides, in which like sounds cost less than unlike ones (`cost`).
Guards against matching ordinary words:
- one heard word may differ from a term by at most ONE_WORD_COST (a dropped weak vowel, an m for
  an n): 'shained' ~ 'ashamed', never 'living' ~ 'loving' or 'deleted' ~ 'delighted';
- a run overlapping an exactly spelled vocabulary phrase of another meaning ('hopeful', the idiom
  'fast food') is not matched, nor one repeating a phrase the rules find already;
- a run may not begin or end with a FUNCTION word unless the term does ('sick and' is not
  'sickened'), every word must add to the likeness ('the sadness' is just 'sadness'), a verb
  in another tense is not a mishearing ('skipped dinner' vs 'skip dinner'), nor a longer word
  spelled around a one-word term ('accounting' vs 'counting');
- commands, yes/no and ratings count only as the whole answer, with at most the polite or
  hesitant words of `PhoneticIndex.around` beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from rapidfuzz import fuzz, process

from companion.data import DataError, read_text
from companion.understand.text import BREAK, tokens

DATA = "phonetic_keys.json"
SCHEMA_VERSION = 1
MAX_WORDS = 5
"""Longest heard run compared (words): a four-word term heard as five."""
MAX_TOKENS = 150
"""Only this many leading tokens of an answer are compared (a typed ramble stays fast)."""
CANDIDATES = 12
"""Terms per heard run given the full comparison, after rapidfuzz's quick one."""
PREFILTER = 60.0
"""rapidfuzz ratio (0-100) of the two keys needed for the full comparison."""
THRESHOLD = 90.0
"""Similarity (0-100, `similarity`) a run of two or more heard words needs. scripts/bench_phonetic
.py: 88 passes 'keep breathing' as 'deep breathing'; from 84 to 90 the same mishearings are found."""
ONE_WORD_COST = 5
"""Largest distance (tenths of a phoneme, `cost`) between ONE heard word and a term: a real word
heard as another real word is usually what was said (6 passes 'living' as 'loving')."""

VOWELS = frozenset("æəɑAɔOɛEɪiIʊUuʌɚɝYWeoQL")
"""Key characters that are vowels or syllabic (PHONEMES in understand/phonemes.py)."""
FUNCTION = frozenset({
    "a", "an", "the", "i", "me", "my", "myself", "mine", "you", "your", "it", "its", "he", "him",
    "his", "himself", "she", "her", "herself", "they", "them", "their", "themselves", "we", "us",
    "our", "someone", "somebody", "something", "anyone", "anybody", "everyone", "everybody",
    "stuff", "things", "thing", "people", "at", "in", "on", "of", "to", "for", "with", "up",
    "out", "off", "into", "from", "by", "about", "until", "till", "and", "or", "but", "is", "am",
    "are", "was", "were", "be", "been", "do", "does", "did", "has", "will", "would", "can",
    "could", "not", "no", "that", "this", "these", "those", "there", "some", "all", "so", "just",
    "too", "what", "if", "how", "then"})
"""Words with little sound of their own: runs may not start or end with one unless the term
does; scripts/build_phonetic.py does not count them towards a term's length."""
_LIKE = ("pb", "td", "kg", "fv", "sz", "θð", "ʃʒ", "cɟ", "θf", "ðv", "ɟʒ", "dð", "tθ", "rɚ", "lL")
_CHEAP = ("mnŋ", "əɪ")
COSTS = {**{(a, b): 6 for g in _LIKE for a in g for b in g if a != b},
         **{(a, b): 3 for g in _CHEAP for a in g for b in g if a != b}}
"""Substitutions (tenths of a phoneme) below the full 10: m/n/ng and schwa/short i 3, voicing
pairs and other near neighbours 6; any other vowel for a vowel costs VOWEL."""
VOWEL = 6
WEAK = {"ə": 2, "ɪ": 5, "h": 5}
"""Sounds recognizers drop or add ('ashamed' heard as 'shamed'): cost of adding or dropping."""


@dataclass(frozen=True)
class PhoneticMatch:
    """Heard tokens[start:end] sound like vocabulary term `term`, meaning `label` of `kind`."""

    kind: str
    """'emotions', 'skills', 'urges', 'commands', 'yesno' or 'numbers'."""
    label: str
    """The vocabulary id: 'shame', 'tipp', 'stop', 'repeat', 'yes', '7'."""
    term: str
    heard: str
    start: int
    end: int
    score: float
    """Similarity, 0-100 (100: the same phonemes: 'paste breathing' ~ 'paced breathing')."""


@dataclass(frozen=True)
class Term:
    """A vocabulary phrase; `key` (its phonemes) is set when it may be matched by sound."""

    kind: str
    label: str
    text: str
    key: str = ""
    ambiguous: bool = False
    """An everyday word the rules count only with a cue ('breathing', 'stop')."""
    variant: bool = False
    """Not spelled so in the vocabulary ('the stop skill' for 'stop skill'): sound only."""


class Phonemizer(Protocol):
    """Phoneme keys of words (understand/phonemes.py: EspeakPhonemizer; tests: a fake)."""

    def keys(self, words: Iterable[str]) -> dict[str, str]: ...


class PhoneticIndex:
    """The terms, grouped for quick comparison, and the words allowed around whole answers."""

    def __init__(self, terms: Iterable[Term], around: Mapping[str, Iterable[str]]) -> None:
        self.terms = tuple(terms)
        self.around = {kind: frozenset(words) for kind, words in around.items()}
        """Per kind that counts only as the whole answer, the words allowed beside it."""
        self.spelled: dict[str, dict[tuple[str, str], bool]] = {}
        """Each vocabulary phrase as spelled -> {(kind, label): ambiguous}."""
        for t in self.terms:
            if not t.variant:
                self.spelled.setdefault(t.text, {})[t.kind, t.label] = t.ambiguous
        self.sound = [t for t in self.terms if t.key]
        self.groups: dict[frozenset[str] | None, tuple[list[Term], list[str]]] = {
            None: (self.sound, [t.key for t in self.sound])}

    def group(self, kinds: frozenset[str] | None) -> tuple[list[Term], list[str]]:
        """The sound terms of these kinds (None: all) and their keys."""
        if kinds not in self.groups:
            chosen = [t for t in self.sound if t.kind in kinds]  # type: ignore[operator]
            self.groups[kinds] = (chosen, [t.key for t in chosen])
        return self.groups[kinds]

    @classmethod
    def from_json(cls, text: str, source: str = DATA) -> PhoneticIndex:
        """An index from the data file's text; DataError when it is not one."""
        try:
            data = json.loads(text)
            if data.get("schema_version") != SCHEMA_VERSION:
                raise DataError(f"{source}: schema_version {data.get('schema_version')!r}, "
                                f"expected {SCHEMA_VERSION}; run scripts/build_phonetic.py")
            return cls((Term(t["kind"], t["label"], t["text"], t.get("key", ""),
                             bool(t.get("ambiguous")), bool(t.get("variant")))
                        for t in data["terms"]), data["around"])
        except DataError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DataError(f"{source}: not a phonetic key file ({exc!r}); "
                            "run scripts/build_phonetic.py") from exc

    @staticmethod
    @cache
    def load() -> PhoneticIndex:
        """The packaged index (companion/data/phonetic_keys.json), read once per process."""
        return PhoneticIndex.from_json(read_text(DATA))


def cost(a: str, b: str) -> int:
    """Tenths of a phoneme for hearing phoneme `a` where `b` was meant ('' = added/dropped)."""
    if a == b:
        return 0
    if not a or not b:
        return WEAK.get(a or b, 10)
    return COSTS.get((a, b), VOWEL if a in VOWELS and b in VOWELS else 10)


def distance(heard: str, meant: str) -> int:
    """Weighted edit distance between two phoneme keys, in tenths of a phoneme (`cost`)."""
    prev = [0]
    for b in meant:
        prev.append(prev[-1] + cost("", b))
    for a in heard:
        row = [prev[0] + cost(a, "")]
        for j, b in enumerate(meant, 1):
            row.append(min(prev[j] + cost(a, ""), row[j - 1] + cost("", b),
                           prev[j - 1] + cost(a, b)))
        prev = row
    return prev[-1]


def similarity(heard: str, meant: str) -> float:
    """0-100: 100 minus the distance as a share of the longer key (one decimal)."""
    longest = max(len(heard), len(meant))
    return round(max(0.0, 100.0 - 10.0 * distance(heard, meant) / longest), 1) if longest else 0.0


def stem(word: str) -> str:
    """A verb without its tense or aspect ending ('skipped' -> 'skip', 'scratching' -> 'scratch')."""
    for suffix in ("ing", "ed", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word


def _runs(toks: Sequence[str]) -> Iterable[tuple[int, int]]:
    """(start, end) of every run of 1..MAX_WORDS tokens not crossing a clause break."""
    for i in range(min(len(toks), MAX_TOKENS)):
        for n in range(1, MAX_WORDS + 1):
            if i + n > len(toks) or toks[i + n - 1] == BREAK:
                break
            yield i, i + n


def _fits(run: Sequence[str], term: Term) -> bool:
    """Function words at the run's edges only where the term has them, and not the term with one
    verb in another tense."""
    meant = term.text.split()
    if any(h in FUNCTION and m not in FUNCTION for h, m in ((run[0], meant[0]),
                                                            (run[-1], meant[-1]))):
        return False
    if len(run) == len(meant) == 1 and meant[0] in run[0]:
        return False  # a longer word spelled around the term: 'accounting' is not 'counting'
    odd = [(h, m) for h, m in zip(run, meant, strict=False) if h != m]
    return not (len(run) == len(meant) and len(odd) == 1 and stem(odd[0][0]) == stem(odd[0][1]))


def _blocked(term: Term, start: int, end: int, exact: list[tuple[int, int, dict]]) -> bool:
    """The run overlaps a spelled phrase of another meaning, or one of the same meaning that the
    rules find already (an ambiguous one, such as 'breathing', still lets sound decide)."""
    return any(s < end and start < e and not meanings.get((term.kind, term.label), False)
               for s, e, meanings in exact)


def _whole(term: Term, words: Sequence[str], start: int, end: int, index: PhoneticIndex) -> bool:
    """A whole-answer kind has nothing beside it but the words allowed around it."""
    allowed = index.around.get(term.kind)
    return allowed is None or all(w == BREAK or w in allowed
                                  for w in (*words[:start], *words[end:]))


def _scored(run_keys: list[str], term: Term) -> float | None:
    """The run's similarity to the term; None when short of the bar or an edge word is idle."""
    key = "".join(run_keys)
    score = similarity(key, term.key)
    if len(run_keys) == 1:
        return score if distance(key, term.key) <= ONE_WORD_COST else None
    if score < THRESHOLD:
        return None
    trimmed = ("".join(run_keys[1:]), "".join(run_keys[:-1]))
    return None if any(similarity(t, term.key) >= score for t in trimmed) else score


def candidates(words: Sequence[str], keys: Mapping[str, str], index: PhoneticIndex,
               kinds: frozenset[str] | None = None) -> list[PhoneticMatch]:
    """Every heard run that sounds like a term, overlapping (see the module's guards)."""
    exact = [(s, e, index.spelled[phrase]) for s, e in _runs(words)
             if (phrase := " ".join(words[s:e])) in index.spelled]
    terms, term_keys = index.group(kinds)
    found = []
    for start, end in _runs(words):
        run = words[start:end]
        heard = " ".join(run)
        run_keys = [keys.get(w, "") for w in run]
        if heard in index.spelled or not all(run_keys) or len("".join(run_keys)) < 3:
            continue
        for _, _, i in process.extract("".join(run_keys), term_keys, scorer=fuzz.ratio,
                                       score_cutoff=PREFILTER, limit=CANDIDATES):
            term = terms[i]
            if not _fits(run, term) or _blocked(term, start, end, exact):
                continue
            score = _scored(run_keys, term)
            if score is not None and _whole(term, words, start, end, index):
                found.append(PhoneticMatch(term.kind, term.label, term.text, heard, start, end,
                                           score))
    return found


def resolve(found: Iterable[PhoneticMatch]) -> list[PhoneticMatch]:
    """Best score first (then the longer term, then the shorter run); no overlaps."""
    kept: list[PhoneticMatch] = []
    for m in sorted(found, key=lambda m: (-m.score, -len(m.term), m.end - m.start, m.start)):
        if all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def match(words: Sequence[str], keys: Mapping[str, str], index: PhoneticIndex,
          kinds: Iterable[str] | None = None) -> list[PhoneticMatch]:
    """Pure: the terms the heard tokens sound like, the best ones that do not overlap.

    `words`: normalised tokens (understand/text.py `tokens`; BREAK ends a clause); `keys`: their
    phoneme keys (a word without one, such as '7', is never part of a match); `kinds`: only
    these vocabularies ('skills', 'emotions', ...). Spans index `words`.
    """
    return resolve(candidates(words, keys, index, None if kinds is None else frozenset(kinds)))


def find(text: str, index: PhoneticIndex, phonemizer: Phonemizer,
         kinds: Iterable[str] | None = None) -> list[PhoneticMatch]:
    """The vocabulary terms an answer sounds like; spans index `tokens(text)`.

    One phonemizer call for the answer's words (espeak-ng: one run of about 20 ms, none when all
    were seen before). Raises what the phonemizer raises (phonemes.PhonemesUnavailable), so the
    caller can go on with spelling alone.
    """
    words = tokens(text)[:MAX_TOKENS + MAX_WORDS]
    keys = phonemizer.keys(w for w in words if w.isalpha())
    return match(words, keys, index, kinds)


def respelled(text: str, found: Iterable[PhoneticMatch]) -> str:
    """Pure: the answer's tokens with each heard run replaced by the term it sounds like
    ('this top skill helped' -> 'the stop skill helped'), for understanding only — the
    client's words are kept as heard."""
    words = list(tokens(text))
    for m in sorted(found, key=lambda m: -m.start):
        words[m.start:m.end] = [m.term]
    return " ".join(w for w in words if w != BREAK)


class Hearing:
    """Respells heard answers by sound: the index and the espeak-ng phonemizer, loaded on first
    use; when espeak-ng cannot run, answers are understood by spelling alone (logged once)."""

    def __init__(self, index: PhoneticIndex | None = None, phonemizer: Phonemizer | None = None
                 ) -> None:
        self._index, self._phonemizer, self.problem = index, phonemizer, None

    def respell(self, text: str) -> tuple[str, list[PhoneticMatch]]:
        """The text to understand, and the matches that changed it."""
        if self.problem is not None or not text.strip():
            return text, []
        try:
            if self._index is None:
                self._index = PhoneticIndex.load()
            if self._phonemizer is None:
                from companion.understand.phonemes import EspeakPhonemizer

                self._phonemizer = EspeakPhonemizer()
            found = find(text, self._index, self._phonemizer)
        except (DataError, OSError) as exc:  # PhonemesUnavailable is an OSError
            import logging

            self.problem = str(exc)
            logging.getLogger(__name__).info("matching by sound unavailable: %s", exc)
            return text, []
        return (respelled(text, found), found) if found else (text, [])


@cache
def hearing() -> Hearing:
    """The process's one Hearing (voice answers only)."""
    return Hearing()

"""Builds companion/data/phonetic_keys.json: the vocabulary the phonetic layer compares heard words
with, each term with its espeak-ng phoneme key, so that at run time only the heard words need
espeak-ng. Terms come from the vocabulary files (data/vocab/emotions, skills, urges, commands,
yesno) and the rating words zero to ten (understand/numbers.py); nothing is copied by hand.
Run after changing any of them (tests/understand/test_phonetic.py fails until you do):
    .venv/bin/python scripts/build_phonetic.py

Which terms may be matched by SOUND (the rest only by exact spelling) is decided in `by_sound`:
- from `phrases` lists only: `exact` and `ambiguous` words are short or everyday on purpose;
- at least MIN_PHONEMES phonemes and MIN_VOWELS syllables ("ashamed", "stop skill", "seven")
  in its content words (phonetic.FUNCTION words such as "my", "it", "at" do not count):
  one-syllable words ("cut", "pills", "no", "go", "drink", "four", "two") have too many
  sound-alike ordinary words ("hit", "bills", "know", "though", "for", "do");
- no function word at all, unless every other word names the label ("check the facts" for
  check_the_facts, "half a smile" for half_smile) or the kind counts only as a whole answer
  (commands, yes/no): a verb and a pronoun ("end it" ~ "and it", "hate myself" ~ "at myself",
  "kill my self" ~ "call myself") or an everyday description ("took a shower", "watched a
  movie", "take the whole bottle" ~ "took the whole bottle") is heard right but differs in a
  syllable that matters, so it needs its spelling;
- at most MAX_WORDS words; not a label in SPELLING_ONLY nor a phrase in SPELLING_ONLY_PHRASES.
Every other vocabulary phrase is kept as a spelling-only term: a heard phrase that IS vocabulary
("hopeful", "fast food") is never reinterpreted by sound as something else ("hopeless").
Skill phrases ending in "skill(s)" also get a sound-only variant with "the" ("the stop skill"),
the way people say them, so that "this top skill" is compared with "the stop skill".
`around` lists, per kind that only counts as a whole answer (commands, yes/no, ratings), the
words that may surround it (from commands.toml and yesno.toml settings, numbers.py CUES).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "companion" / "data" / "phonetic_keys.json"
SCHEMA_VERSION = 1
KINDS = ("emotions", "skills", "urges", "commands", "yesno")
"""Vocabulary files (data/vocab/NAME.toml) the terms come from, plus "numbers"."""
MIN_PHONEMES = 5
MIN_VOWELS = 2
MAX_WORDS = 4
NUMBERS = range(11)
"""Rating words: zero to ten."""
SPELLING_ONLY = {("yesno", "unsure")}
"""Labels never matched by sound: 'maybe' / 'possibly' heard wrong must not become an answer."""
SPELLING_ONLY_PHRASES = {"nice smell"}
"""Phrases one vowel away from an everyday phrase ('a few nice small things every day')."""
WHOLE = ("commands", "yesno", "numbers")
"""Kinds that count only as (nearly) the whole answer."""


def phrases() -> Iterator[tuple[str, str, str, str]]:
    """(kind, label, phrase, list) for every spelled-out vocabulary phrase; list is 'phrases',
    'exact', 'ambiguous' or 'not' (idioms that cancel: label '_not')."""
    from companion.understand.numbers import UNITS
    from companion.understand.vocab import data, expand

    for kind in KINDS:
        spec = data(kind)
        for label, entry in spec.get("ids", {}).items():
            for key in ("phrases", "exact", "ambiguous"):
                for pattern in entry.get(key, ()):
                    for phrase in expand(pattern):
                        yield kind, label, phrase, key
        nots = spec.get("not", {})
        for group in (nots, *(g for g in nots.values() if isinstance(g, dict))):
            for pattern in group.get("phrases", ()):
                for phrase in expand(pattern):
                    yield kind, "_not", phrase, "not"
    for word, value in UNITS.items():
        if value in NUMBERS:
            yield "numbers", str(value), word, "phrases"


def by_sound(kind: str, label: str, phrase: str, source: str, content: str) -> bool:
    """May this phrase be matched by sound (see the module docstring), given the phoneme key of
    its content words."""
    from companion.understand.phonetic import FUNCTION, VOWELS

    words = phrase.split()
    named = all(w in FUNCTION or w in label.split("_") for w in words)
    return (source == "phrases" and (kind, label) not in SPELLING_ONLY
            and phrase not in SPELLING_ONLY_PHRASES
            and len(words) <= MAX_WORDS and len(content) >= MIN_PHONEMES
            and sum(ch in VOWELS for ch in content) >= MIN_VOWELS
            and (kind in WHOLE or named or not any(w in FUNCTION for w in words)))


def around() -> dict[str, list[str]]:
    """Per whole-answer kind, the words allowed around it (politeness, hesitation, cues)."""
    from companion.understand.numbers import CUES
    from companion.understand.vocab import data

    def words(*lists: list[str]) -> list[str]:
        return sorted({w for phrases in lists for p in phrases for w in p.split()})

    commands, yesno = data("commands")["settings"], data("yesno")["settings"]
    return {"commands": words(commands["leading"], commands["trailing"]),
            "yesno": words(yesno["leading"], commands["trailing"]),
            "numbers": words(yesno["leading"], CUES)}


def selection() -> list[tuple[str, str, str, str]]:
    """(kind, label, phrase, source) of every term, without repeats, in a stable order."""
    seen: dict[tuple[str, str, str], str] = {}
    for kind, label, phrase, source in phrases():
        phrase = " ".join(phrase.split())
        if phrase:
            seen.setdefault((kind, label, phrase), source)
    return [(k, lab, p, s) for (k, lab, p), s in seen.items()]


def build(phonemizer) -> dict:
    """The data file's content: every term, with a phoneme key when it may be matched by sound."""
    from companion.understand.phonetic import FUNCTION

    rows = selection()
    words = sorted({w for _, _, p, _ in rows for w in p.split()} | {"the"})
    keys = phonemizer.keys(words)
    terms = []
    for kind, label, phrase, source in rows:
        key = "".join(keys[w] for w in phrase.split())
        content = "".join(keys[w] for w in phrase.split() if w not in FUNCTION)
        sound = by_sound(kind, label, phrase, source, content)
        term = {"kind": kind, "label": label, "text": phrase}
        if sound:
            term["key"] = key
        if source == "ambiguous":
            term["ambiguous"] = True
        terms.append(term)
        if kind == "skills" and sound and phrase.split()[-1] in ("skill", "skills"):
            terms.append({"kind": kind, "label": label, "text": f"the {phrase}",
                          "key": keys["the"] + key, "variant": True})
    return {"schema_version": SCHEMA_VERSION, "voice": phonemizer.voice,
            "note": "generated by scripts/build_phonetic.py; do not edit by hand",
            "around": around(), "terms": terms}


def dump(content: dict) -> str:
    """JSON with one term a line (reviewable, and small diffs when the vocabulary changes)."""
    head = {k: v for k, v in content.items() if k != "terms"}
    lines = [json.dumps(t, ensure_ascii=False) for t in content["terms"]]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return text + ',\n "terms": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> None:
    from companion.understand.phonemes import EspeakPhonemizer

    content = build(EspeakPhonemizer())
    OUT.write_text(dump(content), "utf-8")
    sound = sum("key" in t for t in content["terms"])
    print(f"{OUT.relative_to(ROOT)}: {len(content['terms'])} terms, {sound} matched by sound")


if __name__ == "__main__":
    main()

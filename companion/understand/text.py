"""Normalising recognised or typed answers into lowercase word tokens with clause breaks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

BREAK = "|"
"""Token standing for punctuation that ends a clause (negation never crosses it)."""

MAX_CHARS = 20_000
"""Longer inputs are cut: nobody answers a question with more (characters)."""

# Whole-word contractions; anything else just loses its apostrophe ("whys", "moms").
_CONTRACTIONS = {
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'd": "i would",
    "i'll": "i will", "you're": "you are", "you've": "you have", "you'd": "you would",
    "you'll": "you will", "he's": "he is", "she's": "she is", "it's": "it is", "its": "it is",
    "that's": "that is", "thats": "that is", "there's": "there is", "theres": "there is",
    "what's": "what is", "whats": "what is", "let's": "let us", "lets": "let us",
    "we're": "we are", "we've": "we have", "we'd": "we would", "they're": "they are",
    "they've": "they have", "they'd": "they would", "they'll": "they will", "we'll": "we will",
    "can't": "can not", "cant": "can not", "cannot": "can not", "won't": "will not",
    "wont": "will not", "don't": "do not", "dont": "do not", "doesn't": "does not",
    "doesnt": "does not", "didn't": "did not", "didnt": "did not", "isn't": "is not",
    "isnt": "is not", "aren't": "are not", "arent": "are not", "wasn't": "was not",
    "wasnt": "was not", "weren't": "were not", "haven't": "have not", "havent": "have not",
    "hasn't": "has not", "hasnt": "has not", "hadn't": "had not", "hadnt": "had not",
    "couldn't": "could not", "couldnt": "could not", "shouldn't": "should not",
    "shouldnt": "should not", "wouldn't": "would not", "wouldnt": "would not",
    "mustn't": "must not", "ain't": "am not", "wanna": "want to", "gonna": "going to",
    "gotta": "got to", "outta": "out of", "kinda": "kind of", "sorta": "sort of", "dunno": "do not know",
    "y'all": "you all", "'cause": "because", "cuz": "because", "coz": "because",
}
_SELF_WORDS = {"my self": "myself", "your self": "yourself", "him self": "himself",
               "her self": "herself", "our selves": "ourselves", "them selves": "themselves"}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_DECIMAL = re.compile(r"(\d)[.,](\d)")
_FRACTION = re.compile(r"(\d)\s*/\s*(\d)")
_PERCENT = re.compile(r"%")
_CLAUSE_PUNCT = re.compile(r"[.!?;:,\u2014\u2013()\[\]]+")
_WORD = re.compile(r"[a-z0-9']+|\|")
_SELF = re.compile(r"\b(" + "|".join(_SELF_WORDS) + r")\b")


def _clean(text: str) -> str:
    """Lowercase, NFKC, printable only, typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_APOSTROPHES).lower()
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _expand(word: str) -> list[str]:
    """A raw word as one or more plain tokens (contractions expanded, apostrophes dropped)."""
    word = word.strip("'")
    if not word:
        return []
    full = _CONTRACTIONS.get(word)
    if full:
        return full.split()
    if word.endswith("n't"):
        return [word[:-3], "not"]
    for suffix, tail in (("'re", "are"), ("'ve", "have"), ("'ll", "will"), ("'m", "am")):
        if word.endswith(suffix):
            return [word[: -len(suffix)], tail]
    return [word.replace("'", "")]


def _join_letters(tokens: list[str]) -> list[str]:
    """Spelled-out letters as one word: 'k y s' -> 'kys', 'o d' -> 'od' ('i' and 'a' stay)."""
    out: list[str] = []
    run: list[str] = []
    for tok in [*tokens, ""]:
        if len(tok) == 1 and tok.isalpha() and tok not in ("i", "a"):
            run.append(tok)
            continue
        if len(run) > 1:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if tok:
            out.append(tok)
    return out


@lru_cache(maxsize=512)
def tokens(text: str) -> tuple[str, ...]:
    """The answer as normalised tokens; clause-ending punctuation becomes BREAK."""
    text = _clean(text or "")
    text = _DECIMAL.sub(r"\1 point \2", text)
    text = _FRACTION.sub(r"\1 out of \2", text)
    text = _PERCENT.sub(" percent ", text)
    text = _CLAUSE_PUNCT.sub(f" {BREAK} ", text)
    text = _SELF.sub(lambda m: _SELF_WORDS[m.group(1)], text)
    words: list[str] = []
    for raw in _WORD.findall(text):
        words.extend(_expand(raw))
    words = _join_letters(words)
    while words and words[0] == BREAK:
        words.pop(0)
    while words and words[-1] == BREAK:
        words.pop()
    return tuple(words)


def normalise(text: str) -> str:
    """The answer as one normalised string (tokens joined by spaces, without clause breaks)."""
    return " ".join(t for t in tokens(text) if t != BREAK)

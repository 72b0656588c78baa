"""Words of a Whisper decode: which ones the audio backs, and where the decode looped (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

LOOP_REPEATS = 4
"""The same 1-4 words this many times or more in a row is Whisper looping, not the client: one
is kept ("no no no" said three times stays as said)."""


@dataclass(frozen=True)
class Support:
    """When a word the prompt could have put in Whisper's mouth counts (asr_vocabulary.toml)."""

    checked: Mapping[str, frozenset[str]]
    """Per kind: the prompt's words that must be backed by the audio (lowercase)."""
    probability: float = 0.05
    """A checked word at least this likely without the prompt (0-1) is backed..."""
    alike: float = 0.4
    """...or when Whisper without the prompt heard it, or words this alike at its place (0-1)."""


def unsupported(words: Sequence[tuple[str, float]], unprompted: str, checked: Collection[str],
                support: Support, alike: Callable[[str, str], float]) -> set[int]:
    """Positions in `words` (the prompted decode, each word with its probability without the
    prompt) of checked words the audio does not back: unlikely without the prompt, not heard
    by the unprompted decode, which heard nothing alike at that place (or nothing at all there:
    an unprompted decode that heard nothing anywhere backs nothing and takes out nothing)."""
    said = [" ".join(tokens(w)) for w, _ in words]
    plain = tokens(unprompted)
    drop: set[int] = set()
    if not plain:
        return drop
    matcher = SequenceMatcher(a=said, b=plain, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for i in range(i1, i2):
            if (tag == "equal" or not holds_checked(said[i], checked)
                    or words[i][1] >= support.probability
                    or all(t in plain for t in said[i].split())):
                continue
            heard = [" ".join(plain[j : j + n]) for n in (1, 2) for j in range(j1, j2 - n + 1)]
            if max((alike(said[i], h) for h in heard), default=0.0) < support.alike:
                drop.add(i)
    return drop


def sounds_alike(a: str, b: str) -> float:
    """How alike two stretches of words are spelled, spaces and punctuation aside (0-1)."""
    return SequenceMatcher(a=_letters(a), b=_letters(b), autojunk=False).ratio()


def looped(words: Sequence[str], repeats: int = LOOP_REPEATS) -> set[int]:
    """Positions of the words that repeat a run of 1-4 words which came `repeats` or more times
    in a row: Whisper looping ("One, two, ... seven, eight, seven, eight, seven, eight"). The
    first time stays; a counted-out rating left behind is still asked again by the reader."""
    drop: set[int] = set()
    i = 0
    while i < len(words):
        for n in range(1, 5):
            run = words[i : i + n]
            times = 1
            while len(run) == n and words[i + times * n : i + (times + 1) * n] == run:
                times += 1
            if times >= repeats:
                # a partial repeat at the end of the run is the loop cut off by the token cap
                end = i + times * n
                while end < len(words) and words[end] == run[(end - i) % n]:
                    end += 1
                drop.update(range(i + n, end))
                i = end - 1
                break
        i += 1
    return drop


def tokens(text: str) -> list[str]:
    """Lowercase words, hyphenated ones split ("self-soothing"), punctuation dropped."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def holds_checked(word: str, checked: Collection[str]) -> bool:
    """Whether `word` (as written: "Self-soothing,") holds a word the prompt could have put there."""
    return any(t in checked for t in tokens(word))


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())

"""Words of a Whisper decode: which ones the audio backs, where the decode looped, and the
transcript they make (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from companion.voice.recognition import Transcript

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


def without(segments: list[Any], drop: set[int], heard: Transcript) -> Transcript:
    """`heard` with its words at positions `drop` taken out (punctuation kept elsewhere); what
    it was stays as the open text."""
    written = pieces(segments)
    text = "".join(w for i, (w, _) in enumerate(written) if i not in drop).strip()
    words = tuple(w for i, w in enumerate(heard.words) if i not in drop)
    return replace(heard, text=text, words=words, open_text=heard.text, open_words=heard.words)


def spoken(segments: list[Any]) -> list[Any]:
    """The segments that are speech, not Whisper's guess over silence."""
    return [seg for seg in segments if not (getattr(seg, "no_speech_prob", 0.0) > 0.8
                                            and getattr(seg, "avg_logprob", 0) < -1.0)]


def pieces(segments: list[Any]) -> list[tuple[str, float]]:
    """Each word as Whisper wrote it (" drink,") with its probability (0-1), a loop's repeats
    taken out (see looped). Without word probabilities (they are asked for only when needed),
    every word gets its segment's average."""
    return loop_free(segments)[0]


def loop_free(segments: list[Any]) -> tuple[list[tuple[str, float]], bool]:
    """pieces(), and whether a loop was taken out of them."""
    found: list[tuple[str, float]] = []
    for seg in spoken(segments):
        seg_words = getattr(seg, "words", None) or []
        if seg_words:
            found += [(w.word, float(w.probability)) for w in seg_words]
        else:
            conf = math.exp(min(0.0, float(getattr(seg, "avg_logprob", -1.0))))
            found += [(" " + w, conf) for w in seg.text.split()]
    found = [(w, p) for w, p in found if bare(w)]
    loop = looped([bare(w).lower() for w, _ in found])
    return [piece for i, piece in enumerate(found) if i not in loop], bool(loop)


def transcript_of(segments: list[Any], seconds: float, engine: str) -> Transcript:
    """The Transcript of Whisper's segments of one answer (`seconds` long)."""
    written, loop = loop_free(segments)
    if loop:  # the words left, as Whisper wrote them
        text = "".join(w for w, _ in written).strip()
    else:
        text = " ".join(t for t in (seg.text.strip() for seg in spoken(segments)) if t)
    words = tuple((bare(w), round(p, 3)) for w, p in written)
    return Transcript(text=text, words=words, audio_seconds=seconds, engine=engine)


def bare(word: str) -> str:
    """A word as Whisper wrote it without its spaces and punctuation."""
    return word.strip().strip(".,!?;:\"")

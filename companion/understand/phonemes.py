"""Words to phoneme keys with espeak-ng's own text-to-phoneme rules (the phoneme engine adapter)."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence

log = logging.getLogger(__name__)

VOICE = "en-us"
"""espeak-ng voice whose pronunciation rules are used (US English: most users, and Whisper's)."""

TIMEOUT = 10.0
"""Longest wait for one espeak-ng run (seconds); it normally takes about 20 ms."""

CACHE_WORDS = 20_000
"""Words whose keys are remembered for the life of the phonemizer (a few hundred kB)."""

_SAFE = re.compile(r"[^a-z0-9']")
_WORDLIKE = re.compile(r"[a-z0-9]")

# espeak-ng's ASCII phoneme names (`espeak-ng -x`) as ONE character each, so that an edit distance
# over key strings counts whole phonemes. Variants espeak distinguishes for its synthesizer (t2,
# I#, @2...) fold into their plain phoneme; diphthongs and r-coloured vowels are one symbol.
PHONEMES = {
    # consonants
    "p": "p", "b": "b", "t": "t", "t2": "t", "t#": "t", "d": "d", "d2": "d", "d#": "d",
    "k": "k", "g": "g", "x": "k", "f": "f", "v": "v", "T": "θ", "D": "ð", "s": "s", "z": "z",
    "S": "ʃ", "Z": "ʒ", "h": "h", "tS": "c", "dZ": "ɟ", "m": "m", "n": "n", "n-": "n",
    "N": "ŋ", "l": "l", "l/": "l", "r": "r", "r-": "r", "w": "w", "j": "j", "?": "",
    # vowels, diphthongs, r-coloured vowels and syllabic l
    "a": "æ", "aa": "æ", "a#": "ə", "A:": "ɑ", "0": "ɑ", "A@": "A", "O": "ɔ", "O:": "ɔ",
    "O2": "ɔ", "O@": "O", "o@": "O", "E": "ɛ", "e": "ɛ", "e@": "E", "I": "ɪ", "I#": "ɪ",
    "I2": "ɪ", "i": "i", "i:": "i", "i@": "I", "i@3": "I", "U": "ʊ", "U@": "U", "u:": "u",
    "V": "ʌ", "@": "ə", "@2": "ə", "@5": "ə", "@#": "ə", "@-": "ə", "3": "ɚ", "3:": "ɝ",
    "aI": "Y", "aI@": "Y", "aI3": "Y", "aU": "W", "eI": "e", "oU": "o", "OI": "Q", "@L": "L",
}
"""espeak-ng en-us phoneme name -> one key character. L is a syllabic l ('radical')."""

_SKIP = {"", ";", ":", "'", ",", "%", "=", "|", "||", "_", "#"}


class PhonemesUnavailable(OSError):
    """espeak-ng is missing or failed, so nothing can be compared by sound (never reaches the
    client: understanding goes on by spelling alone)."""


def available(command: str = "espeak-ng") -> bool:
    """espeak-ng can be run (it is on PATH)."""
    return shutil.which(command) is not None


def key_of(espeak_word: str) -> str:
    """One word of `espeak-ng -x --sep=_` output ("a#_S_'eI_m_d") as a key string ("əʃemd")."""
    out = []
    for part in espeak_word.replace(" ", "_").split("_"):
        name = part.lstrip("',%=")
        if name in _SKIP:
            continue
        if name not in PHONEMES:
            name = name.rstrip("#2:;-")  # an unusual variant: its base phoneme
        out.append(PHONEMES.get(name) or PHONEMES.get(name[:1], ""))
    return "".join(out)


def clean(word: str) -> str:
    """A word reduced to what espeak-ng is safe to read (letters, digits, apostrophes)."""
    return _SAFE.sub("", word.lower())


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


class EspeakPhonemizer:
    """espeak-ng run once per batch of new words (one word a line, one line back per word)."""

    def __init__(self, command: str = "espeak-ng", voice: str = VOICE,
                 run: Runner = subprocess.run) -> None:
        self.command, self.voice, self.run = command, voice, run
        self.cache: dict[str, str] = {}
        self.calls = 0
        """espeak-ng runs so far (a measure of the cost)."""

    def keys(self, words: Iterable[str]) -> dict[str, str]:
        """{word: key} for every word; new words cost one espeak-ng run for all of them."""
        wanted = {w: clean(w) for w in words}
        new = sorted({c for c in wanted.values() if _WORDLIKE.search(c) and c not in self.cache})
        if new:
            self._learn(new)
        return {w: self.cache.get(c, "") for w, c in wanted.items()}

    def _learn(self, words: Sequence[str]) -> None:
        lines = self._espeak(words)
        if len(lines) != len(words):  # never seen; one word at a time keeps keys aligned
            log.warning("espeak-ng gave %d lines for %d words; asking word by word",
                        len(lines), len(words))
            lines = [" ".join(self._espeak([w])) for w in words]
        if len(self.cache) + len(words) > CACHE_WORDS:
            self.cache.clear()
        self.cache.update(zip(words, map(key_of, lines), strict=True))

    def _espeak(self, words: Sequence[str]) -> list[str]:
        argv = [self.command, "-q", "-x", "--sep=_", "-v", self.voice]
        self.calls += 1
        try:
            done = self.run(argv, input="\n".join(words) + "\n", capture_output=True,
                            text=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PhonemesUnavailable(
                f"espeak-ng could not be run ({exc}). Install it (sudo apt-get install "
                "espeak-ng); until then answers are matched by spelling only") from exc
        if done.returncode != 0:
            raise PhonemesUnavailable(
                f"espeak-ng failed (exit {done.returncode}: {done.stderr.strip()[:200]}); "
                "answers are matched by spelling only")
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]

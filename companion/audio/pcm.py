"""PCM helpers every audio source shares: int16 mono conversion, resampling, chunking, level,
and level normalisation for quiet speakers."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from companion.audio.chunk import AudioChunk

log = logging.getLogger(__name__)
CHUNK_SECONDS = 0.03
"""Length of the chunks every source delivers (seconds)."""
SILENCE_DBFS = -100.0
"""Level reported for digital silence (dBFS)."""


def samples_of(chunk: AudioChunk) -> np.ndarray:
    """The chunk's samples as int16 mono (any width 1/2/3/4, any channel count)."""
    return to_int16_mono(chunk.data, chunk.width, chunk.channels)


def to_int16_mono(data: bytes, width: int, channels: int) -> np.ndarray:
    """Interleaved PCM (8-bit unsigned; 16/24/32-bit signed little-endian) as int16 mono."""
    frame = width * max(channels, 1)
    data = data[: len(data) - len(data) % frame] if frame else b""
    if width == 1:
        wide = (np.frombuffer(data, np.uint8).astype(np.int32) - 128) << 8
    elif width == 2:
        wide = np.frombuffer(data, "<i2").astype(np.int32)
    elif width == 3:
        # The two high bytes of each little-endian 24-bit sample are its int16 value.
        high = np.ascontiguousarray(np.frombuffer(data, np.uint8).reshape(-1, 3)[:, 1:])
        wide = high.view("<i2").reshape(-1).astype(np.int32)
    elif width == 4:
        wide = np.frombuffer(data, "<i4").astype(np.int64) >> 16
    else:
        raise ValueError(f"unsupported sample width {width}")
    if channels > 1:
        wide = wide.reshape(-1, channels).mean(axis=1)
    return np.clip(np.round(wide), -32768, 32767).astype(np.int16)


def mono_chunk(chunk: AudioChunk) -> AudioChunk:
    """The same audio as int16 mono."""
    if chunk.width == 2 and chunk.channels == 1:
        return chunk
    return AudioChunk(chunk.rate, 2, 1, samples_of(chunk).tobytes())


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear-interpolation resampling of int16 mono (good enough for voice detection)."""
    if src == dst or samples.size == 0:
        return samples.astype(np.int16)
    count = max(1, round(samples.size * dst / src))
    positions = np.arange(count) * (src / dst)
    out = np.interp(positions, np.arange(samples.size), samples.astype(np.float64))
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def split(chunk: AudioChunk, seconds: float = CHUNK_SECONDS) -> Iterator[AudioChunk]:
    """Fixed-length pieces of a chunk (the last one may be shorter)."""
    frame = chunk.width * chunk.channels
    step = max(1, int(chunk.rate * seconds)) * frame
    for start in range(0, len(chunk.data), step):
        yield AudioChunk(chunk.rate, chunk.width, chunk.channels, chunk.data[start : start + step])


def level_dbfs(chunk: AudioChunk) -> float:
    """Root-mean-square level relative to full scale (dBFS; SILENCE_DBFS for digital silence)."""
    samples = samples_of(chunk).astype(np.float64)
    if samples.size == 0:
        return SILENCE_DBFS
    rms = math.sqrt(float(np.mean(samples * samples)))
    return max(SILENCE_DBFS, 20 * math.log10(rms / 32768)) if rms > 0 else SILENCE_DBFS


@dataclass(frozen=True)
class GainSettings:
    """How quiet speech is raised before the recognizer hears it."""

    target_dbfs: float = -23.0
    """Speech level the recognizer should hear (RMS of speech chunks, dBFS)."""
    max_gain: float = 24.0
    """The most the level is raised (dB): enough for a speaker 20 dB too quiet, not enough to
    turn a muted microphone's hiss into loud noise. Louder speech is never turned down."""
    ceiling_dbfs: float = -1.0
    """No sample is raised above this (dBFS): normalising never clips."""
    memory: float = 1.0
    """Time constant of the speech-level estimate (seconds of speech)."""


class LevelNormaliser:
    """Gain toward a target speech level, learnt from the chunks that are speech and kept across
    answers (the same speaker and microphone); ramped within each chunk so it never clicks, and
    held down per chunk so no sample passes the ceiling."""

    def __init__(self, settings: GainSettings | None = None) -> None:
        self.s = settings or GainSettings()
        self.speech_power: float | None = None
        """Mean square of recent speech samples (int16 units squared); None before any speech."""
        self.gain = 0.0
        """The gain applied at the end of the last chunk (dB)."""

    def apply(self, chunk: AudioChunk, speech: bool) -> AudioChunk:
        """`chunk` as int16 mono at the current gain; `speech` says whether it is the speaker's."""
        samples = samples_of(chunk).astype(np.float64)
        if not samples.size:
            return mono_chunk(chunk)
        if speech:
            power = float(np.mean(samples * samples))
            keep = math.exp(-chunk.seconds / self.s.memory)
            self.speech_power = power if self.speech_power is None else (
                keep * self.speech_power + (1 - keep) * power)
        limit = self._headroom(samples)
        start, self.gain = self.gain, min(self.wanted(), limit)
        if start == 0.0 and self.gain == 0.0:
            return mono_chunk(chunk)
        ramp = np.minimum(np.linspace(start, self.gain, samples.size + 1)[1:], limit)
        out = np.clip(np.round(samples * 10 ** (ramp / 20)), -32768, 32767).astype(np.int16)
        return AudioChunk(chunk.rate, 2, 1, out.tobytes())

    def wanted(self) -> float:
        """The gain (dB) the speech level so far asks for: 0 before any speech."""
        if not self.speech_power:
            return 0.0
        level = 10 * math.log10(self.speech_power / 32768**2)
        return max(0.0, min(self.s.max_gain, self.s.target_dbfs - level))

    def _headroom(self, samples: np.ndarray) -> float:
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        if peak <= 0:
            return self.s.max_gain
        return max(0.0, self.s.ceiling_dbfs - 20 * math.log10(peak / 32768))


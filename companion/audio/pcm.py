"""PCM helpers every audio source shares: int16 mono conversion, resampling, chunking, level."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

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

"""Steady background noise turned down in a whole answer (spectral gating, pure numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DenoiseSettings:
    """How hard the noise is turned down."""

    frame_seconds: float = 0.032
    """Analysis frame (seconds, rounded to a power of two in samples); frames overlap by half."""
    quiet_fraction: float = 0.15
    """The quietest this fraction of frames (by energy) is taken to be noise alone: an answer's
    recording has its pauses and edges, and steady noise is all there is in them."""
    over_subtraction: float = 2.0
    """The noise estimate is subtracted this many times over (power): noise frames whose power
    happens to rise above their average are still turned down."""
    floor: float = 0.3
    """No frequency in any frame is turned down below this gain (amplitude; 0.3 is -10 dB): the
    noise left is a steady hush, not the warbling tones ("musical noise") a deeper cut leaves,
    and Whisper heard answers in noise best with this much left (0.1 helped less)."""
    smoothing: float = 0.0
    """Decision-directed Wiener gain (0-1, e.g. 0.98): how much of each bin's speech-to-noise
    estimate carries over from the previous frame. 0 is plain power subtraction."""
    clean_above: float = 30.0
    """An answer whose loud frames (the 90th percentile of frame energy) are this far above the
    noise estimate (dB) has no noise worth taking out and comes back untouched: clean speech
    and phone audio are left as they were."""


def denoise(samples: np.ndarray, rate: int, settings: DenoiseSettings | None = None) -> np.ndarray:
    """`samples` (1-D, int16 or float) with steady noise turned down; same length and dtype.

    Too short to estimate the noise from (under four frames), or clean (see
    DenoiseSettings.clean_above), it comes back unchanged."""
    s = settings or DenoiseSettings()
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError(f"denoise takes mono samples (1-D), not shape {x.shape}")
    size = 2 ** max(4, round(math.log2(max(rate * s.frame_seconds, 1))))
    hop = size // 2
    if x.size < 4 * size:
        return x.copy()
    spectra = _stft(x.astype(np.float64), size)
    power = np.abs(spectra) ** 2
    noise = _noise(power, s.quiet_fraction)
    loud = float(np.percentile(power.sum(axis=1), 90))
    if loud > float(noise.sum()) * 10 ** (s.clean_above / 10):
        return x.copy()
    gains = _gains(power, noise, s) if s.smoothing <= 0 else _wiener(power, noise, s)
    y = _istft(spectra * gains, size, x.size + 2 * hop)[hop : hop + x.size]
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        return np.clip(np.round(y), info.min, info.max).astype(x.dtype)
    return y.astype(x.dtype)


def _window(size: int) -> np.ndarray:
    """Square root of a periodic Hann window: used twice at half overlap, it sums to one."""
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / size))


def _stft(x: np.ndarray, size: int) -> np.ndarray:
    """Frames of `x` (padded by mirroring, so the edges are covered twice) -> spectra."""
    hop = size // 2
    tail = hop + (-x.size) % hop
    padded = np.pad(x, (hop, tail), mode="reflect")
    count = (padded.size - size) // hop + 1
    frames = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop][:count]
    return np.fft.rfft(frames * _window(size), axis=1)


def _istft(spectra: np.ndarray, size: int, length: int) -> np.ndarray:
    hop = size // 2
    frames = np.fft.irfft(spectra, size, axis=1) * _window(size)
    out = np.zeros((len(frames) + 1) * hop)
    out[: len(frames) * hop] += frames[:, :hop].reshape(-1)
    out[hop : (len(frames) + 1) * hop] += frames[:, hop:].reshape(-1)
    return out[:length]


def _noise(power: np.ndarray, fraction: float) -> np.ndarray:
    """Each bin's noise power: its mean over the quietest `fraction` of frames."""
    count = max(2, math.ceil(fraction * len(power)))
    quiet = np.argsort(power.sum(axis=1))[:count]
    return power[quiet].mean(axis=0)


def _gains(power: np.ndarray, noise: np.ndarray, s: DenoiseSettings) -> np.ndarray:
    """Power subtraction: what is left of each bin after `over_subtraction` times the noise.

    The gain is read from the power averaged over each bin's neighbours in time and frequency:
    one bin of noise alone swings far above its mean (a third of them above twice it), and
    each swing left standing would be a short tone."""
    left = 1.0 - s.over_subtraction * noise / np.maximum(_neighbours(power), _tiny(power))
    return np.sqrt(np.maximum(left, s.floor**2))


def _neighbours(power: np.ndarray) -> np.ndarray:
    """Each bin's mean over itself and the eight around it (edges mirrored)."""
    padded = np.pad(power, 1, mode="edge")
    rows, cols = power.shape
    return sum(padded[i : i + rows, j : j + cols] for i in range(3) for j in range(3)) / 9


def _wiener(power: np.ndarray, noise: np.ndarray, s: DenoiseSettings) -> np.ndarray:
    """Wiener gain with the decision-directed speech-to-noise estimate (Ephraim and Malah)."""
    noise = s.over_subtraction * np.maximum(noise, _tiny(power))
    gains = np.empty_like(power)
    before = np.zeros(power.shape[1])  # the last frame's cleaned power over the noise
    for t, frame in enumerate(power):
        now = np.maximum(frame / noise - 1.0, 0.0)
        snr = s.smoothing * before + (1 - s.smoothing) * now
        gains[t] = np.maximum(snr / (1 + snr), s.floor)
        before = gains[t] ** 2 * frame / noise
    return gains


def _tiny(power: np.ndarray) -> float:
    """A power too small to matter (1e-12 of the loudest bin, or 1e-30 for silence)."""
    return max(float(power.max()) * 1e-12, 1e-30)

"""The noise-reduction front end: synthetic tones, speech-like sounds and noise in numpy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from companion.audio.chunk import AudioChunk
from companion.audio.denoise import DenoiseSettings, denoise
from companion.cli.options import denoise_from
from companion.errors import UsageError
from companion.settings import VoiceSettings
from companion.voice.whisper_engine import WhisperRecognizer

RATE = 16000
WIENER = DenoiseSettings(smoothing=0.98, over_subtraction=1.0, floor=0.1)
ALWAYS = DenoiseSettings(clean_above=float("inf"))
"""The default gain, applied even to audio with no noise worth taking out."""
SETTINGS = pytest.mark.parametrize("settings", [DenoiseSettings(), WIENER],
                                   ids=["subtraction", "wiener"])


def snr_db(reference: np.ndarray, heard: np.ndarray) -> float:
    """How far `heard` is from `reference` (dB): reference power over error power."""
    error = heard.astype(np.float64) - reference
    return float(10 * np.log10(np.sum(reference**2) / np.sum(error**2)))


def speech_like(seconds: float = 2.0, seed: int = 3) -> np.ndarray:
    """Syllables of a voiced harmonic sound (gliding pitch, formant-like rolloff) with short
    gaps, between 0.3 s of silence at either end, as a recorded answer has; peak 0.5."""
    t = np.arange(int(RATE * seconds)) / RATE
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 25))
    syllables = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None) ** 0.5
    rng = np.random.default_rng(seed)
    hiss = rng.standard_normal(t.size) * (np.sin(2 * np.pi * 1.3 * t) > 0.8)  # fricatives
    x = voiced * syllables + 0.3 * hiss
    silence = np.zeros(int(0.3 * RATE))
    x = np.concatenate([silence, x, silence])
    return 0.5 * x / np.abs(x).max()


def with_noise(x: np.ndarray, snr: float, seed: int = 5) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(x.size)
    loud = x[np.abs(x) > 0]
    return x + noise * np.sqrt(np.mean(loud**2) / 10 ** (snr / 10))


@SETTINGS
def test_a_tone_in_white_noise_comes_out_cleaner(settings):
    t = np.arange(2 * RATE) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) * (np.abs(t - 1) < 0.6)  # silence at both ends
    noisy = with_noise(tone, 10)
    cleaned = denoise(noisy, RATE, settings)
    assert snr_db(tone, cleaned) > snr_db(tone, noisy) + 6


@SETTINGS
def test_speech_like_sound_in_noise_comes_out_cleaner(settings):
    clean = speech_like()
    noisy = with_noise(clean, 15)
    assert snr_db(clean, denoise(noisy, RATE, settings)) > snr_db(clean, noisy) + 2


def test_clean_speech_comes_back_untouched():
    clean = (speech_like() * 32767).astype(np.int16)
    assert np.array_equal(denoise(clean, RATE), clean)
    quiet_hiss = with_noise(speech_like(), 40)  # noise 40 dB below the speech: nothing to do
    assert np.array_equal(denoise(quiet_hiss, RATE), quiet_hiss)


@pytest.mark.parametrize("settings", [ALWAYS, replace(WIENER, clean_above=float("inf"))],
                         ids=["subtraction", "wiener"])
def test_clean_speech_like_sound_changes_little_even_when_not_left_alone(settings):
    clean = with_noise(speech_like(), 50)  # a quiet microphone's hiss, 50 dB below the speech
    assert snr_db(clean, denoise(clean, RATE, settings)) > 40


@SETTINGS
def test_noise_alone_is_turned_down_but_not_below_the_floor(settings):
    noise = np.random.default_rng(7).standard_normal(RATE) * 1000
    out = denoise(noise, RATE, settings)
    drop = 10 * np.log10(np.mean(out**2) / np.mean(noise**2))
    assert 20 * np.log10(settings.floor) - 1 < drop < 20 * np.log10(settings.floor) + 4


def test_silence_stays_silence():
    assert not denoise(np.zeros(RATE, np.int16), RATE).any()
    assert not denoise(np.zeros(RATE, np.float32), RATE, WIENER).any()


@pytest.mark.parametrize("dtype", [np.int16, np.float32, np.float64])
@pytest.mark.parametrize("size", [RATE, RATE + 123, 4 * 512])
def test_length_and_dtype_are_kept(dtype, size):
    x = with_noise(speech_like(), 10)[:size]
    x = (x * 32767).astype(dtype) if dtype is np.int16 else x.astype(dtype)
    out = denoise(x, RATE)
    assert out.shape == x.shape and out.dtype == x.dtype


def test_full_scale_int16_keeps_its_peaks_and_signs():
    burst = np.sign(np.sin(np.arange(RATE // 2) / 5)) * 32767
    x = np.concatenate([np.zeros(RATE // 4), burst, np.zeros(RATE // 4)]).astype(np.int16)
    out = denoise(x, RATE)
    assert out.dtype == np.int16 and (out > 30000).any() and (out < -30000).any()


def test_too_short_to_estimate_the_noise_comes_back_unchanged():
    x = np.arange(100, dtype=np.int16)
    out = denoise(x, RATE)
    assert np.array_equal(out, x) and out is not x


def test_stereo_is_refused():
    with pytest.raises(ValueError, match="mono"):
        denoise(np.zeros((RATE, 2)), RATE)


@pytest.mark.parametrize(("flag", "env", "on"), [
    (None, {}, VoiceSettings.denoise), (None, {"COMPANION_DENOISE": "1"}, True),
    (None, {"COMPANION_DENOISE": "off"}, False), (False, {"COMPANION_DENOISE": "1"}, False),
    (True, {}, True)])
def test_the_switch_comes_from_the_flag_then_the_environment(flag, env, on):
    assert denoise_from(flag, env) is on


def test_a_bad_environment_value_says_what_to_write():
    with pytest.raises(UsageError, match="COMPANION_DENOISE must be 1 or 0"):
        denoise_from(None, {"COMPANION_DENOISE": "maybe"})


class HearsAudio:
    """A Whisper model that keeps the audio it was given and hears nothing."""

    def __init__(self) -> None:
        self.audio: list[np.ndarray] = []

    def transcribe(self, audio, **options):
        self.audio.append(audio)
        return iter(()), None


def test_whisper_hears_the_denoised_answer():
    model, given = HearsAudio(), []

    def cleaner(samples, rate):
        given.append((samples.dtype, rate))
        return np.zeros_like(samples)

    recognizer = WhisperRecognizer(Path("unused"), prompts={}, loader=lambda path: model,
                                   denoise=cleaner)
    recognizer.start("free", 16000)
    recognizer.accept(AudioChunk(16000, 2, 1, (np.ones(16000, np.int16) * 1000).tobytes()))
    recognizer.finish()
    assert given == [(np.float32, 16000)]
    assert not model.audio[0].any()

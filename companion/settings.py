"""Frozen settings, built once by the CLI from flags, config file and environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VoiceSettings:
    """How the companion speaks and listens."""

    speak: bool = True
    """Read prompts and the summary aloud."""
    rate: int = 150
    """Speaking rate (words per minute); espeak's own default of 200 is too fast for distress."""
    voice: str | None = None
    """Text-to-speech voice id or name; None picks a US English voice."""
    volume: float = 0.9
    """Speech volume (0.0-1.0)."""
    listen: bool = True
    """Answer by voice (False: typed)."""
    engine: str = "auto"
    """Recognition engine: auto, vosk or whisper."""
    model: Path | None = None
    """Speech-recognition model folder (overrides COMPANION_MODEL and models/)."""
    input_device: str | None = None
    """Microphone: PortAudio device index or part of its name."""
    pause: float = 2.0
    """Trailing silence that ends an answer (seconds), counted only after speech began."""
    audio_in: tuple[Path, ...] = ()
    """WAV files (one per prompt) used instead of the microphone."""
    fast: bool = False
    """Feed --audio-in files as fast as possible instead of in real time."""
    denoise: bool = True
    """Turn steady background noise down in each answer before Whisper hears it
    (companion.audio.denoise; clean answers are left untouched); Vosk hears the audio as it is."""


@dataclass(frozen=True)
class PrepareSettings:
    """Everything `companion prepare` needs."""

    home: Path
    """Data folder (COMPANION_HOME or the per-user data folder)."""
    worksheet: Path | None
    """A therapist's worksheet (TOML); None uses the built-in one."""
    json: bool
    """Print the finished record as one JSON object on stdout."""
    voice: VoiceSettings
    region: str | None = None
    """Region code for crisis lines (e.g. US, UK); None until configured."""

"""The one audio type that flows from every source (microphone, WAV file, generator)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioChunk:
    """A run of PCM samples."""

    rate: int
    """Sample rate (hertz)."""
    width: int
    """Bytes per sample (2 for int16)."""
    channels: int
    """Number of interleaved channels."""
    data: bytes
    """Raw little-endian PCM."""

    @property
    def seconds(self) -> float:
        """Duration (seconds)."""
        frame = self.width * self.channels
        return len(self.data) / (frame * self.rate) if frame and self.rate else 0.0

"""The recognizer interface every speech-recognition engine adapter implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from companion.audio import AudioChunk


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard in one answer."""

    text: str
    words: tuple[tuple[str, float], ...] = ()
    """Each recognised word with its confidence (0-1)."""
    audio_seconds: float = 0.0
    """Length of the audio recognised (seconds)."""
    engine: str = ""


class Recognizer(Protocol):
    """Streaming recognition of one answer at a time."""

    def start(self, kind: str, rate: int) -> None:
        """Begin an answer to a prompt of `kind` (free, emotions, intensity, urges, skills,
        yesno) with audio at `rate` (hertz, int16 mono). Engines may switch grammar by kind."""

    def accept(self, chunk: AudioChunk) -> str:
        """Feed audio; returns the partial text heard so far in this answer (may be empty)."""

    def finish(self) -> Transcript:
        """End the answer and return its transcript."""

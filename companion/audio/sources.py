"""Audio sources for answers: the source interface, WAV files streamed like a microphone."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import CHUNK_SECONDS, mono_chunk, split
from companion.audio.wavfile import read_wav

log = logging.getLogger(__name__)


class AudioInput(Protocol):
    """Where the audio of each answer comes from: a microphone or one WAV file per answer."""

    def next_answer(self) -> Iterator[AudioChunk] | None:
        """Chunks (int16 mono) of the next answer, or None when no more input will come."""

    def discard_pending(self) -> None:
        """Drop audio captured while a prompt was playing (half-duplex)."""

    def close(self) -> None:
        """Release the device."""


def stream(chunk: AudioChunk, *, fast: bool, seconds: float = CHUNK_SECONDS,
           sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic) -> Iterator[AudioChunk]:
    """A recording as a live source would deliver it: fixed chunks, paced in real time unless fast."""
    started = clock()
    played = 0.0
    for piece in split(mono_chunk(chunk), seconds):
        if not fast:
            ahead = started + played - clock()
            if ahead > 0:
                sleep(ahead)
        played += piece.seconds
        yield piece


class FileAudio:
    """One WAV file per answer, in order, streamed like the microphone (real time or fast)."""

    def __init__(self, paths: Sequence[Path], *, fast: bool = False,
                 chunk_seconds: float = CHUNK_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.paths = list(paths)
        self.fast, self.chunk_seconds, self.sleep = fast, chunk_seconds, sleep
        self.used: list[Path] = []

    def next_answer(self) -> Iterator[AudioChunk] | None:
        if not self.paths:
            return None
        path = self.paths.pop(0)
        self.used.append(path)
        log.debug("answer audio from %s", path)
        return stream(read_wav(path), fast=self.fast, seconds=self.chunk_seconds,
                      sleep=self.sleep)

    def discard_pending(self) -> None:
        """A file keeps playing while a prompt is spoken; nothing is queued to drop."""

    def close(self) -> None:
        self.paths = []

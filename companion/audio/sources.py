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

    def next_answer(self, question: str = "") -> Iterator[AudioChunk] | None:
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

    def next_answer(self, question: str = "") -> Iterator[AudioChunk] | None:
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


QUESTION_NAMES = ("situation", "emotions", "intensity", "urges", "urge_intensity",
                  "skills_tried", "goal", "backup", "skills", "remember", "warning_signs")
"""Any of these (or a name starting with _) marks a folder of answers named by question id."""


def question_folder(inputs: Sequence[Path]) -> dict[str, Path] | None:
    """{question id: WAV} when `inputs` is one folder whose WAVs are named after question ids
    (situation.wav, _continue.wav, _continue-2.wav for its second asking); else None."""
    if len(inputs) != 1 or not Path(inputs[0]).is_dir():
        return None
    files = {p.stem: p for p in sorted(Path(inputs[0]).glob("*.wav"))}
    named = any(stem.split("-")[0] in QUESTION_NAMES or stem.startswith("_") for stem in files)
    return files if named else None


class QuestionAudio:
    """One WAV per question id, so a branching conversation can be played from audio: the
    n-th asking of a question plays `<id>-<n>.wav` when there is one, else `<id>.wav`."""

    by_question = True

    def __init__(self, files: dict[str, Path], *, fast: bool = False,
                 chunk_seconds: float = CHUNK_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.files, self.fast, self.chunk_seconds, self.sleep = files, fast, chunk_seconds, sleep
        self.asked: dict[str, int] = {}
        self.used: list[Path] = []

    def next_answer(self, question: str = "") -> Iterator[AudioChunk] | None:
        count = self.asked[question] = self.asked.get(question, 0) + 1
        path = self.files.get(f"{question}-{count}") or (
            self.files.get(question) if count == 1 else None)
        if path is None:
            log.debug("no answer file for %s (asking %d): input ends", question, count)
            return None
        self.used.append(path)
        return stream(read_wav(path), fast=self.fast, seconds=self.chunk_seconds,
                      sleep=self.sleep)

    def discard_pending(self) -> None:
        """Nothing is queued between questions."""

    def close(self) -> None:
        self.files = {}

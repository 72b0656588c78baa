"""Vosk adapter: streaming offline recognition, grammar mode for short answers."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import mono_chunk
from companion.errors import ModelMissing
from companion.voice.hypotheses import GRAMMAR, Hypothesis, choose, joined, phrase_count, posteriors
from companion.voice.recognition import BackgroundLoad, LoadsInBackground, Transcript

log = logging.getLogger(__name__)

UNKNOWN_WORD = "[unk]"
FREE = "free"
WARM_UP = Path(__file__).resolve().parent.parent / "data" / "warmup.wav"
"""About 2 s of synthesized speech fed to a new recognizer in the background: its first
utterance is otherwise slow (speech warms the decoder's graph; low noise did half as well)."""


def default_grammars(table: str = "kinds") -> dict[str, list[str]]:
    """Grammar phrases per prompt kind, from companion/data/asr_vocabulary.toml; with
    table="vocabulary", the phrases that are the question's own words."""
    grammar = _grammar_data()
    return {kind: _unique(p for name in lists for p in grammar.get(name, []))
            for kind, lists in grammar.get(table, {}).items()}


def _grammar_data() -> dict[str, Any]:
    from companion.data import load_data

    return load_data("asr_vocabulary.toml")["grammar"]


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
    non-English models pass their own phrases. `vocabularies` (kind -> the question's own
    phrases; default: the grammars handed in, else asr_vocabulary.toml) or `scorer(kind, text)`
    rate the hypotheses (phrase-list decode, open dictation's n-best) to choose the answer from;
    `sentence_kinds` get a phrase list only from a model with [unk]; `alternatives` is the
    n-best size (default from the data file); `kaldi(model, rate, phrases)` makes a recognizer.
    """

    engine = "vosk"

    def __init__(self, path: Path, *, grammars: Mapping[str, list[str]] | None = None,
                 loader: Callable[[Path], Any] = load_model,
                 grammar_mode: bool | None = None,
                 vocabularies: Mapping[str, list[str]] | None = None,
                 scorer: Callable[[str, str], float] | None = None,
                 sentence_kinds: Collection[str] | None = None,
                 alternatives: int | None = None,
                 kaldi: Callable[[Any, int, list[str] | None], Any] | None = None) -> None:
        self.path = Path(path)
        self._grammars = dict(default_grammars() if grammars is None else grammars)
        if vocabularies is None:
            vocabularies = default_grammars("vocabulary") if grammars is None else grammars
        self._scorers = {kind: phrase_count(p) for kind, p in vocabularies.items() if p}
        self._scorer = scorer
        settings = _grammar_data().get("open", {})
        self._sentence_kinds = frozenset(
            settings.get("sentences", []) if sentence_kinds is None else sentence_kinds)
        self._alternatives = int(settings.get("alternatives", 0) if alternatives is None
                                 else alternatives)
        self._kaldi = kaldi_recognizer if kaldi is None else kaldi
        self._kind = FREE
        self._kind_scorer: Callable[[str], float] | None = None
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
        `[unk]` is added only when the model has it, so other speech is not forced into a phrase;
        without it, kinds answered in sentences (emotions, skills) get open dictation only.
        """
        phrases = self._grammars.get(kind)
        if not phrases or not self._grammar_mode:
            return None
        if kind in self._sentence_kinds and not self.knows(UNKNOWN_WORD):
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
        Open dictation keeps its n-best for a kind with a vocabulary (or a scorer handed in).
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
        self._kind, self._kind_scorer = kind, self._scorer_for(kind)
        (self._open or self._current).SetMaxAlternatives(
            self._alternatives if self._kind_scorer else 0)
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
        """End the answer; the recognizer stays ready for the next answer of its kind.

        The answer is the hypothesis the question's vocabulary explains best (see hypotheses.py);
        open dictation's top stays in `open_text` whenever the answer is something else, so the
        crisis check still reads every word open dictation heard.
        """
        if self._current is None:
            return Transcript("", engine=self.engine)
        grammar_parts = _final(self._current, self._parts) if self._open else None
        open_parts = _final(self._open, self._open_parts) if self._open else \
            _final(self._current, self._parts)
        self._unfinished = False
        seconds = self._samples / self._rate if self._rate else 0.0
        score = self._kind_scorer or (lambda text: 0.0)
        top = joined([p["alternatives"][0] for p in open_parts])
        best = joined([choose(p["alternatives"], score) for p in open_parts])
        hypotheses = [best]
        if grammar_parts is not None:
            grammar = joined([p["alternatives"][0] for p in grammar_parts])
            hypotheses.insert(0, replace(grammar, source=GRAMMAR))
        chosen = choose(hypotheses, score)
        if chosen != top:
            log.debug("vosk %s: chose the %s hypothesis %r over open dictation's top %r",
                      self._kind, chosen.source, chosen.text, top.text)
        shadow = chosen != top or grammar_parts is not None
        return Transcript(text=chosen.text, words=chosen.words, audio_seconds=seconds,
                          engine=self.engine, open_text=top.text if shadow else "",
                          open_words=top.words if shadow else (),
                          alternatives=_ranked(open_parts))

    def _scorer_for(self, kind: str) -> Callable[[str], float] | None:
        """How hypotheses of a `kind` answer are rated; None: there is nothing to choose by."""
        if self._scorer is not None:
            scorer = self._scorer
            return lambda text: scorer(kind, text)
        return self._scorers.get(kind)

    def _recognizer(self, kind: str, rate: int, grammar: list[str] | None) -> Any:
        """The reused recognizer for `kind`'s `grammar` (None: open dictation) at `rate`."""
        key = (kind if grammar else FREE, rate)
        with self._lock:
            if key not in self._recognizers:
                self._recognizers[key] = self._new_recognizer(rate, grammar)
            return self._recognizers[key]

    def _new_recognizer(self, rate: int, grammar: list[str] | None) -> Any:
        rec = self._kaldi(self._model, rate, grammar)
        rec.SetWords(True)
        return rec


def kaldi_recognizer(model: Any, rate: int, phrases: list[str] | None) -> Any:
    """A vosk.KaldiRecognizer: open dictation, or only `phrases` (grammar mode)."""
    import vosk

    if phrases:
        return vosk.KaldiRecognizer(model, rate, json.dumps(phrases, ensure_ascii=False))
    return vosk.KaldiRecognizer(model, rate)


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


def _ranked(parts: list[dict[str, Any]]) -> tuple[str, ...]:
    """Open dictation's n-best texts, top first (several stretches: rank by rank), or ()."""
    most = max((len(p["alternatives"]) for p in parts), default=0)
    if most < 2:
        return ()
    return tuple(joined([p["alternatives"][min(k, len(p["alternatives"]) - 1)]
                         for p in parts]).text for k in range(most))


def _feed(rec: Any, data: bytes, parts: list[dict[str, Any]]) -> str:
    """Audio into one recognizer; returns all it has heard in this answer so far."""
    if rec.AcceptWaveform(data):
        parts.append(parse_result(rec.Result()))
        partial = ""
    else:
        partial = parse_partial(rec.PartialResult())
    return " ".join(t for t in [*(p["text"] for p in parts), partial] if t)


def _final(rec: Any, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer's stretches, its last one (what FinalResult() still held) added."""
    parts.append(parse_result(rec.FinalResult()))
    return parts


def supports_grammar(path: Path) -> bool:
    """Grammar mode needs a model with a runtime graph (graph/HCLr.fst + Gr.fst), not HCLG."""
    graph = Path(path) / "graph"
    return (graph / "HCLr.fst").exists() and (graph / "Gr.fst").exists()


def parse_result(raw: str) -> dict[str, Any]:
    """{'text': str, 'words': [(word, conf)], 'unknown': int, 'alternatives': [Hypothesis]}
    from Vosk's Result()/FinalResult() JSON: the single best (words with their confidences) or,
    after SetMaxAlternatives(n), the n-best, whose words get their hypothesis' share of the list
    (Vosk gives those no word confidences). text, words and unknown are the top hypothesis'."""
    data = _loads(raw)
    entries = data.get("alternatives")
    if not isinstance(entries, list) or not entries:
        entries = [data]
    entries = [e for e in entries if isinstance(e, dict)] or [{}]
    shares = posteriors([_number(e.get("confidence")) for e in entries])
    found = [_hypothesis(e, share) for e, share in zip(entries, shares, strict=True)]
    top = found[0]
    return {"text": top.text, "words": list(top.words), "unknown": top.unknown,
            "alternatives": found}


def _hypothesis(entry: dict[str, Any], share: float) -> Hypothesis:
    words = []
    for item in entry.get("result") or []:
        if isinstance(item, dict) and item.get("word") and item["word"] != UNKNOWN_WORD:
            conf = _number(item.get("conf", share if "confidence" in entry else None))
            words.append((str(item["word"]), min(1.0, max(0.0, conf))))
    said = str(entry.get("text") or "").split()
    return Hypothesis(text=" ".join(w for w in said if w != UNKNOWN_WORD), words=tuple(words),
                      unknown=said.count(UNKNOWN_WORD))


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


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0

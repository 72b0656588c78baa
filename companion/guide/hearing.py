"""Listening in the silences between a guide's spoken lines: a short wait for speech to begin,
then the whole utterance, so the guide speaks again only once the client has finished."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from companion.audio.chunk import AudioChunk
from companion.audio.pcm import LevelNormaliser, level_dbfs
from companion.errors import MicrophoneUnavailable
from companion.guide.controls import BETWEEN_STEPS
from companion.voice.endpoint import Endpointer, EndpointSettings, strip_closing

log = logging.getLogger(__name__)
PRE_ROLL = 0.3
"""Audio kept from just before speech was detected (seconds), so the first word is heard whole."""
KIND = "free"
"""Open dictation: a command can come with any words around it, and crisis words are never
lost to a grammar."""


class GapEars:
    """Ears (guide.controls) over a live microphone, the answers' recognizer and speech detector.

    The recognizer starts only when speech does, so silent gaps cost almost nothing. A lost
    microphone ends listening between steps for good; the guide goes on by its timings."""

    def __init__(self, audio: Any, recognizer: Any, vad: Any, *, endpoint: EndpointSettings,
                 show: Callable[[str], None] = lambda text: None,
                 normaliser: LevelNormaliser | None = None) -> None:
        """`normaliser` raises quiet speech as for the answers (share the answers' one: same
        speaker, same microphone)."""
        self.audio, self.recognizer, self.vad = audio, recognizer, vad
        self.endpoint, self.show = endpoint, show
        self.normaliser = normaliser or LevelNormaliser()
        self.deaf = False

    def hear(self, seconds: float) -> str | None:
        if self.deaf:
            return None
        try:
            chunks = self.audio.next_answer(BETWEEN_STEPS)
            if chunks is None:
                self.deaf = True
                return None
            text = self._hear(chunks, seconds)
        except MicrophoneUnavailable as exc:
            log.info("no more listening between steps: %s", exc)
            self.deaf = True
            return None
        if text:
            self.show(text)
        return text or None

    def _hear(self, chunks: Iterator[AudioChunk], seconds: float) -> str:
        endpointer = Endpointer(self.endpoint)
        self.vad.reset()
        before: deque[AudioChunk] = deque()
        waited, started = 0.0, False
        for chunk in chunks:
            probability, level = self.vad.probability(chunk), level_dbfs(chunk)
            partial = ""
            if not started and probability >= self.endpoint.threshold:
                started = True
                self.recognizer.start(KIND, chunk.rate)
                for earlier in before:
                    self.recognizer.accept(self.normaliser.apply(earlier, False))
            if started:
                speech = endpointer.is_speech(probability, level)
                partial = self.recognizer.accept(self.normaliser.apply(chunk, speech))
            else:
                before.append(chunk)
                while sum(c.seconds for c in before) > PRE_ROLL + 1e-6:
                    before.popleft()
            step = endpointer.feed(chunk.seconds, probability, partial, level)
            if step.done:
                break
            waited += chunk.seconds
            if waited >= seconds and not endpointer.started and probability < \
                    self.endpoint.threshold:
                break  # nobody began speaking in time (a click or a cough is not speech)
        if not started:
            return ""
        transcript = self.recognizer.finish()
        if not endpointer.started:
            return ""
        return strip_closing(transcript.text.strip(), transcript.words)[0]


def gap_ears(source: Any, show: Callable[[str], None] | None = None) -> GapEars | None:
    """Ears for the gaps when `source` listens to a live microphone (VoiceAnswers), else None:
    typed answers, or answer files (each file is one answer, and must not be spent on a gap)."""
    from companion.audio.mic import Microphone
    from companion.voice.listen import VoiceAnswers

    if not isinstance(source, VoiceAnswers) or source.broken is not None \
            or not isinstance(source.audio, Microphone):
        return None
    return GapEars(source.audio, source.recognizer, source.vad, endpoint=source.endpoint,
                   show=show or source.line.final, normaliser=source.normaliser)

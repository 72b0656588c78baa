"""Spoken answers: audio in, voice detection, patient end-of-answer detection, recognition."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

from companion.audio.pcm import LevelNormaliser, level_dbfs
from companion.audio.sources import AudioInput
from companion.audio.vad import SpeechDetector
from companion.data import load_data
from companion.errors import MicrophoneUnavailable
from companion.interfaces import Answer, AnswerSource, Prompt, Prompter
from companion.voice.endpoint import (
    Endpointer,
    EndpointSettings,
    Step,
    noise_floor,
    strip_closing,
)
from companion.voice.recognition import Recognizer, Transcript

log = logging.getLogger(__name__)
METER_STEP = 0.1
"""Audio time between live-line updates (seconds)."""
METER_WIDTH = 10
LINE_WIDTH = 78


class LiveLine:
    """One updating line on the UI stream: a level meter and the words heard so far."""

    def __init__(self, stream: TextIO, live: bool) -> None:
        self.stream, self.live = stream, live
        self.since = METER_STEP
        self.shown = False

    def update(self, seconds: float, level: float, partial: str) -> None:
        self.since += seconds
        if not self.live or self.since < METER_STEP:
            return
        self.since = 0.0
        filled = max(0, min(METER_WIDTH, round((level + 60) / 60 * METER_WIDTH)))
        bar = "#" * filled + "-" * (METER_WIDTH - filled)
        words = partial[-(LINE_WIDTH - METER_WIDTH - 8):]
        self.stream.write(f"\r  [{bar}] {words}".ljust(LINE_WIDTH)[:LINE_WIDTH])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * LINE_WIDTH + "\r")
            self.stream.flush()
            self.shown = False

    def final(self, text: str) -> None:
        self.clear()
        shown = text if len(text) <= 200 else text[:200] + "…"
        print(f"  > {shown}", file=self.stream, flush=True)


def with_open_words_if_crisis(transcript: Transcript,
                              detect_crisis: Callable[[str], bool]) -> Transcript:
    """The open-dictation words instead of the grammar's when only they hold crisis language
    ("eight ... i want to die" heard as just "eight" by a grammar of numbers)."""
    if not transcript.open_text or detect_crisis(transcript.text):
        return transcript
    if not detect_crisis(transcript.open_text):
        return transcript
    log.info("crisis words heard outside the %s grammar; using open dictation", transcript.engine)
    return replace(transcript, text=transcript.open_text, words=transcript.open_words)


class VoiceAnswers:
    """An AnswerSource that listens: each answer runs until a patient end-of-answer decision."""

    def __init__(self, audio: AudioInput, recognizer: Recognizer, vad: SpeechDetector,
                 prompter: Prompter, ui: TextIO, *, endpoint: EndpointSettings | None = None,
                 live: bool = False, fallback: AnswerSource | None = None,
                 crisis_check: Callable[[str], bool],
                 normaliser: LevelNormaliser | None = None) -> None:
        """`crisis_check(text)` tells crisis language (passed in: this layer does not read text).
        `normaliser` raises quiet speech before the recognizer hears it (a default one if None).
        The noise floor and the gain are kept across answers: the room and the speaker stay."""
        self.audio, self.recognizer, self.vad = audio, recognizer, vad
        self.prompter, self.endpoint = prompter, endpoint or EndpointSettings()
        self.floor = noise_floor(self.endpoint)
        self.normaliser = normaliser or LevelNormaliser()
        self.line = LiveLine(ui, live)
        self.fallback, self.crisis_check = fallback, crisis_check
        self.broken: MicrophoneUnavailable | None = None
        self.messages: dict[str, str] = load_data("voice.toml")["messages"]
        self.last_reason = ""

    def listen(self, prompt: Prompt) -> Answer | None:
        if self.broken is None:
            try:
                answer = self._listen(prompt)
            except MicrophoneUnavailable as exc:
                self._break(exc)
                answer = None
            if self.broken is None or (answer is not None and answer.text):
                return answer
        if self.fallback is None:
            raise self.broken
        return self.fallback.listen(prompt)

    def _listen(self, prompt: Prompt) -> Answer | None:
        chunks = self.audio.next_answer(prompt.id)
        if chunks is None:
            return None
        transcript, lost = self._hear(chunks, prompt.kind)
        transcript = with_open_words_if_crisis(transcript, self.crisis_check)
        text, words = strip_closing(transcript.text.strip(), transcript.words)
        self.line.final(text)
        if lost is not None:
            self._break(lost)
        return Answer(text=text, words=words, source="voice")

    def _hear(self, chunks: Any, kind: str) -> tuple[Transcript, MicrophoneUnavailable | None]:
        """Feed chunks until the answer ends; what was heard survives a vanished microphone."""
        endpointer = Endpointer(self.endpoint, self.floor)
        self.vad.reset()
        started, lost, step = False, None, Step()
        try:
            for chunk in chunks:
                if not started:
                    self.recognizer.start(kind, chunk.rate)
                    started = True
                probability, level = self.vad.probability(chunk), level_dbfs(chunk)
                speech = endpointer.is_speech(probability, level)
                partial = self.recognizer.accept(self.normaliser.apply(chunk, speech))
                step = endpointer.feed(chunk.seconds, probability, partial, level)
                self.line.update(chunk.seconds, level, partial)
                self._speculate(step.events)
                self._events(step)
                if step.done:
                    break
        except MicrophoneUnavailable as exc:
            lost = exc
        finally:
            self.line.clear()
        self.last_reason = step.reason or ("microphone_lost" if lost else "end_of_audio")
        log.debug("answer ended (%s) after %.1f s", self.last_reason, endpointer.elapsed)
        return (self.recognizer.finish() if started else Transcript("")), lost

    def _speculate(self, events: tuple[str, ...]) -> None:
        """A recognizer that works only at the end (Whisper) starts at a lull in speech, so its
        result is ready when the pause is over; speech coming back voids that work."""
        for event, method in (("resume", "discard_prefetch"), ("lull", "prefetch")):
            hook = getattr(self.recognizer, method, None) if event in events else None
            if hook is not None:
                hook()

    def _events(self, step: Step) -> None:
        for event in step.events:
            message = {"reprompt": "reprompt", "quiet": "quiet", "loud": "loud"}.get(event)
            if message:
                self.line.clear()
                self.prompter.say(self.messages[message], "hint")
                self.audio.discard_pending()  # half-duplex: the message itself is not an answer

    def _break(self, exc: MicrophoneUnavailable) -> None:
        """Remember the lost microphone; with a fallback, tell the client to type from now on."""
        self.broken = exc
        log.debug("microphone lost: %s", exc)
        if self.fallback is not None:
            self.prompter.say(self.messages["mic_lost"].format(reason=exc), "info")

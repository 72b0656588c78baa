"""Patient end-of-answer detection: a pure state machine fed per audio chunk."""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.audio.vad import NoiseFloor
from companion.data import load_data

SPEECH_HYSTERESIS = 0.15
"""Once speech began, a chunk still counts as speech down to threshold minus this."""
MARGIN_HYSTERESIS = 3.0
"""Once speech began, a chunk still counts as speech this much (dB) closer to the noise floor."""
EPSILON = 1e-6
"""Slack for sums of chunk durations (seconds)."""


@dataclass(frozen=True)
class EndpointSettings:
    """When an answer is over."""

    pause: float = 2.0
    """Trailing non-speech that ends an answer (seconds), counted only after speech began."""
    no_speech: float = 10.0
    """Wait before the gentle re-prompt, and again before giving up on the answer (seconds)."""
    max_answer: float = 120.0
    """Longest answer (seconds of audio)."""
    threshold: float = 0.5
    """Speech probability (0-1) at which a chunk counts as speech."""
    words_floor: float = 0.15
    """Speech probability (0-1) above which new recognised words also count as speech. Vosk keeps
    revising its partial text for about a second after speech ends; below this floor those
    revisions must not restart the pause."""
    min_speech: float = 0.1
    """Speech needed before the answer counts as begun (seconds); ignores clicks and coughs."""
    closing_pause: float = 0.4
    """Non-speech after a closing phrase before the answer ends (seconds)."""
    lull: float = 0.5
    """Non-speech after speech began at which the answer may be over (seconds): a "lull" event
    lets a slow recognizer start on the audio so far, so its result is ready when the pause
    ends. Shorter wastes more work on mid-sentence pauses; it must leave the recognizer time
    (Whisper tiny.en: about 0.5 s) before `pause`. 0 turns lull events off."""
    quiet_dbfs: float = -60.0
    """Below this loudest level (dBFS) the microphone is probably muted or dead."""
    quiet_after: float = 3.0
    """Listening time before the near-silence warning (seconds)."""
    loud_dbfs: float = -1.0
    """Above this level (dBFS) a chunk is clipping."""
    noise_margin: float = 6.0
    """How far above the noise floor (the background level heard while nobody answers, dBFS) a
    chunk must be to count as speech. The detector alone already ignores steady noise, but takes
    any voice for speech: this keeps voices barely louder than the room (through a wall, over a
    fan) from beginning or holding open an answer. 0 turns the noise floor off."""
    floor_window: float = 3.0
    """Background the noise floor remembers (seconds of audio)."""
    floor_percentile: float = 80.0
    """Which percentile (0-100) of the background's chunk levels is the noise floor."""


@dataclass(frozen=True)
class Step:
    """What one chunk changed: events for the UI, and whether the answer is over (and why).

    Events: "speech" (the answer began), "lull" (speech stopped `lull` seconds ago), "resume"
    (speech again after a lull), "quiet", "loud", "reprompt", "offer_skip"."""

    events: tuple[str, ...] = ()
    done: bool = False
    reason: str = ""


def noise_floor(settings: EndpointSettings) -> NoiseFloor:
    """A noise floor for these settings (keep one across answers: the room stays the same)."""
    return NoiseFloor(settings.floor_window, settings.floor_percentile)


class Endpointer:
    """Feed every chunk of one answer; reads speech probability, partial text and level."""

    def __init__(self, settings: EndpointSettings | None = None,
                 floor: NoiseFloor | None = None) -> None:
        """`floor`: the background level heard so far (a new one when None)."""
        self.s = settings or EndpointSettings()
        self.floor = floor or noise_floor(self.s)
        self.elapsed = 0.0
        self.started = False
        self.in_speech = False
        self.speech_run = 0.0
        self.silence_run = 0.0
        self.waiting = 0.0
        self.reprompted = False
        self.lulled = False
        self.partial = ""
        self.loudest = -1000.0
        self.clipping = 0.0
        self.warned: set[str] = set()

    def feed(self, seconds: float, probability: float, partial: str = "",
             level: float = -100.0) -> Step:
        """Account for one chunk of `seconds` of audio."""
        self.elapsed += seconds
        events = self._levels(seconds, level)
        audible = self.audible(level)
        words = self._new_words(partial) and audible
        active = self._speech(seconds, probability, audible) or (
            words and (probability >= self.s.words_floor or not self.started))
        self._learn(seconds, probability, level, active)
        if active:
            self.silence_run = 0.0
            if self.lulled:
                self.lulled = False
                events.append("resume")
            if not self.started and (self.speech_run >= self.s.min_speech - EPSILON or self.partial):
                self.started = True
                events.append("speech")
        else:
            self.silence_run += seconds
        if self.elapsed >= self.s.max_answer - EPSILON:
            return Step(tuple(events), True, "max_length")
        if not self.started:
            return self._waiting(seconds, events)
        if self.silence_run >= self.s.pause - EPSILON:
            return Step(tuple(events), True, "pause")
        if self.silence_run >= self.s.closing_pause - EPSILON and closing_phrase(self.partial):
            return Step(tuple(events), True, "closing")
        if self.s.lull > 0 and not self.lulled and self.silence_run >= self.s.lull - EPSILON:
            self.lulled = True
            events.append("lull")
        return Step(tuple(events))

    def audible(self, level: float) -> bool:
        """Whether a chunk at `level` (dBFS) stands out from the background enough to be speech."""
        if self.s.noise_margin <= 0:
            return True
        margin = self.s.noise_margin - (MARGIN_HYSTERESIS if self.in_speech else 0.0)
        return self.floor.clears(level, margin)

    def is_speech(self, probability: float, level: float) -> bool:
        """Whether a chunk would count as the client's speech now (changes nothing)."""
        return probability >= self._limit() and self.audible(level)

    def _limit(self) -> float:
        return self.s.threshold - (SPEECH_HYSTERESIS if self.in_speech else 0.0)

    def _speech(self, seconds: float, probability: float, audible: bool) -> bool:
        self.in_speech = probability >= self._limit() and audible
        self.speech_run = self.speech_run + seconds if self.in_speech else 0.0
        return self.in_speech and (self.started or self.speech_run >= self.s.min_speech - EPSILON)

    def _learn(self, seconds: float, probability: float, level: float, active: bool) -> None:
        """The floor hears only what is surely not the client: no voice (during the answer, not
        even half a voice: it may be the client's softer syllables), and before the answer began,
        voices too close to a known floor to be the client's (a television)."""
        if self.started:
            background = probability < self.s.words_floor
        else:
            background = not active and (probability < self.s.threshold or (
                self.floor.level is not None and not self.in_speech))
        if background:
            self.floor.update(level, seconds)

    def _new_words(self, partial: str) -> bool:
        """A partial transcript that changed is evidence of speech the detector may have missed."""
        partial = " ".join(partial.split())
        changed = bool(partial) and partial != self.partial
        if partial:
            self.partial = partial
        return changed

    def _waiting(self, seconds: float, events: list[str]) -> Step:
        self.waiting += seconds
        if self.waiting < self.s.no_speech - EPSILON:
            return Step(tuple(events))
        self.waiting = 0.0
        if not self.reprompted:
            self.reprompted = True
            return Step((*events, "reprompt"))
        return Step((*events, "offer_skip"), True, "no_speech")

    def _levels(self, seconds: float, level: float) -> list[str]:
        events = []
        self.loudest = max(self.loudest, level)
        if level >= self.s.loud_dbfs:
            self.clipping += seconds
        if (self.elapsed >= self.s.quiet_after and self.loudest < self.s.quiet_dbfs
                and "quiet" not in self.warned):
            events.append("quiet")
        if self.clipping >= 0.3 and "loud" not in self.warned:
            events.append("loud")
        self.warned.update(events)
        return events


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower().replace("’", "'"))


def _closing_data() -> tuple[list[list[str]], set[str]]:
    data = load_data("voice.toml")["closing"]
    phrases = sorted((p.split() for p in data["phrases"]), key=len, reverse=True)
    return phrases, set(data["not_after"])


def closing_phrase(text: str) -> int:
    """How many trailing words of `text` are a closing phrase (0: none, or part of the sentence)."""
    words = [w for w in (_norm(t) for t in text.split()) if w]
    phrases, not_after = _closing_data()
    for phrase in phrases:
        n = len(phrase)
        if words[-n:] == phrase:
            before = words[-n - 1] if len(words) > n else ""
            return 0 if before in not_after else n
    return 0


def strip_closing(text: str, words: tuple[tuple[str, float], ...] = ()
                  ) -> tuple[str, tuple[tuple[str, float], ...]]:
    """The answer without a trailing closing phrase, unless the phrase is the whole answer."""
    n = closing_phrase(text)
    tokens = text.split()
    if not n or len(tokens) <= n:
        return text, words
    kept = " ".join(tokens[:-n]).rstrip(" ,;:-–—")
    if words and closing_phrase(" ".join(w for w, _ in words)) == n and len(words) > n:
        words = words[:-n]
    return kept, words

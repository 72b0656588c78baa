"""Fakes for running guided practices: a clock that sleeps instantly, a prompter that notes
the clock time of every line, scripted controls, and a practice store that keeps copies."""

from __future__ import annotations

import copy

from companion.guide.player import estimate_speech
from companion.journal.practices import PracticeStore


class FakeClock:
    """Time that passes only when slept, instantly; the player must sleep in short slices."""

    def __init__(self) -> None:
        self.time = 1000.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert 0 <= seconds <= 0.1 + 1e-9, "sleep in short slices, polling the controls"
        self.time += seconds


class TimedPrompter:
    """Keeps (clock time, role, text); with `voice`, each line takes its speaking time."""

    def __init__(self, clock: FakeClock, voice: bool = False) -> None:
        self.clock, self.voice = clock, voice
        self.said: list[tuple[float, str, str]] = []
        self.failed = None

    def say(self, text: str, role: str = "info") -> None:
        self.said.append((self.clock.time, role, text))
        if self.voice and self.failed is None:
            self.clock.time += estimate_speech(text)

    def text(self) -> str:
        return "\n".join(t for _, _, t in self.said)

    def prompts(self) -> list[str]:
        return [t for _, r, t in self.said if r == "prompt"]

    def lines_from(self, start: float, role: str = "info") -> list[tuple[float, str]]:
        return [(round(t - start, 3), text) for t, r, text in self.said if r == role]


class ScriptedControls:
    """Hands out each (seconds after it was made, command) once its time has come."""

    def __init__(self, clock: FakeClock, events: list[tuple[float, str]]) -> None:
        self.clock, self.events, self.start = clock, sorted(events), clock.time

    def poll(self) -> str | None:
        if self.events and self.events[0][0] <= self.clock.time - self.start:
            return self.events.pop(0)[1]
        return None


class KeptStore(PracticeStore):
    """The real store, also keeping a copy of every save (to see what was saved when)."""

    def __init__(self, home) -> None:
        super().__init__(home)
        self.saves: list[dict] = []

    def save(self, record):
        self.saves.append(copy.deepcopy(record))
        return super().save(record)


class TimedSpeaker:
    """A player Speaker: keeps (clock time, line), and each line takes its speaking time."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []

    def say(self, text: str) -> None:
        self.lines.append((self.clock.time, text))
        self.clock.time += estimate_speech(text)

    def texts(self) -> list[str]:
        return [text for _, text in self.lines]

    def times_of(self, text: str) -> list[float]:
        return [t for t, said in self.lines if said == text]

    def spans(self) -> list[tuple[float, float, str]]:
        """(start, end, line) of everything said."""
        return [(t, t + estimate_speech(text), text) for t, text in self.lines]


class ScriptedEars:
    """Ears for the gaps: each (seconds after it was made, words, seconds of speaking) is heard
    once its time has come and the guide is listening; the speaking takes clock time, so the
    guide waits for it. `heard` keeps (start, end, words) in clock time."""

    def __init__(self, clock: FakeClock, events: list[tuple[float, str, float]]) -> None:
        self.clock, self.start, self.events = clock, clock.time, sorted(events)
        self.heard: list[tuple[float, float, str]] = []
        self.windows: list[float] = []

    def hear(self, seconds: float) -> str | None:
        self.windows.append(seconds)
        end = self.clock.time + seconds
        while True:
            if self.events and self.events[0][0] <= self.clock.time - self.start + 1e-9:
                _, text, length = self.events.pop(0)
                began = self.clock.time
                self._pass(began + length)
                self.heard.append((began, self.clock.time, text))
                return text
            if self.clock.time >= end - 1e-9:
                return None
            due = self.start + self.events[0][0] if self.events else end
            self._pass(min(end, due))

    def _pass(self, until: float) -> None:
        while self.clock.time < until - 1e-9:
            self.clock.sleep(min(0.1, until - self.clock.time))


def overlaps(spans, heard) -> list[tuple[str, str]]:
    """Lines said while the client was speaking: (line, words) pairs."""
    return [(line, words) for s, e, line in spans for b, f, words in heard
            if s < f - 1e-9 and e > b + 1e-9]

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

"""The timed player's small interfaces (speaker, clock, keys, listener), the real clock, a
virtual one, and how long a line takes to say."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Speaker(Protocol):
    """Says a line aloud, returning only when it has been spoken."""

    def say(self, text: str) -> None: ...


class Clock(Protocol):
    """Time in seconds, and a way to let it pass."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class Controls(Protocol):
    """The client's latest command, or None; read only between spoken lines."""

    def poll(self) -> str | None: ...


class Listener(Protocol):
    """Commands said aloud, heard only in the silences between spoken lines."""

    def listen(self, seconds: float) -> str | None:
        """A command the client said, waiting at most `seconds` for them to start speaking;
        once they have, until they have finished, however long (the guide never talks over
        them). None when nothing, or nothing that is a command, was said."""


class SystemClock:
    """The real clock: monotonic seconds (never jumps with the wall clock), and time.sleep."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class NoControls:
    """Controls for a run nobody steers."""

    def poll(self) -> str | None:
        return None


def estimate_speech(text: str) -> float:
    """Rough seconds to say `text` aloud, at about 150 words a minute."""
    return len(text.split()) / 2.5


class SimClock:
    """Virtual time (for the player's timeline): sleeping only moves the hands."""

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


class SimSpeaker:
    """Records each line at its virtual time, and lets the estimated speaking time pass."""

    def __init__(self, clock: SimClock, speaking: Callable[[str], float]) -> None:
        self.clock, self.speaking = clock, speaking
        self.lines: list[tuple[float, str]] = []

    def say(self, text: str) -> None:
        self.lines.append((round(self.clock.time, 3), text))
        self.clock.sleep(self.speaking(text))

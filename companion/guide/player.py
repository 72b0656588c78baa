"""The timed-skill player: speaks a skill's steps with their silences, between-step controls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from companion.guide.answers import questions, readback
from companion.guide.model import GuideError, Repeat, Skill, Step

__all__ = [
    "Clock",
    "Controls",
    "NoControls",
    "Practice",
    "Speaker",
    "SystemClock",
    "estimate_speech",
    "play",
    "questions",
    "readback",
    "timeline",
]

log = logging.getLogger(__name__)
COMMANDS = frozenset({"stop", "pause", "resume", "slower", "again", "next"})
SLICE = 0.1  # seconds: the longest sleep between two polls of the controls
SLOWER = 1.25  # each "slower" stretches every later pause and beat by this
MAX_SCALE = 2.0  # never slower than twice the scripted pace
CAUTION_PAUSE = 2.0  # seconds of silence after a skill's caution
COUNT_WORDS = ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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


@dataclass(frozen=True)
class Practice:
    """What happened when a skill was played."""

    skill_id: str
    started: float
    """Clock time at the start (seconds; SystemClock counts from an arbitrary point, so the
    wall-clock time of a practice is kept by the caller)."""
    seconds: float
    """Time spent practising, not counting time on pause (seconds)."""
    completed: bool
    stopped_by: str | None
    """None when completed; "stop" (a command) or "interrupt" (Ctrl-C)."""
    steps_done: int
    """Spoken steps finished, counting every round of a repeat block and the caution."""


def estimate_speech(text: str) -> float:
    """Rough seconds to say `text` aloud, at about 150 words a minute."""
    return len(text.split()) / 2.5


class _Stopped(Exception):
    """Raised inside a run to unwind it when the client says stop."""


class _Run:
    """One playing of a skill; its state lives here, not in closures."""

    def __init__(
        self,
        speaker: Speaker,
        clock: Clock,
        controls: Controls,
        show: Callable[[str], None] | None,
        tone: Callable[[str], None] | None,
    ) -> None:
        self.speaker, self.clock, self.controls = speaker, clock, controls
        self.show, self.tone = show, tone
        self.scale = 1.0
        self.words, self.speaking = 0, 0.0  # measured, to foresee how long lines will take
        self.paused = 0.0
        self.steps_done = 0
        self.t0 = clock.now()

    def t(self) -> float:
        """Practice time: seconds since the start, not counting time on pause."""
        return self.clock.now() - self.t0 - self.paused

    def say(self, text: str) -> None:
        if self.show is not None:
            self.show(text)
        began = self.clock.now()
        self.speaker.say(text)
        self.words += len(text.split())
        self.speaking += self.clock.now() - began

    def foresee(self, steps: list[Step]) -> float:
        """Seconds `steps` should take at the current pace and the voice's measured speed."""
        per_word = self.speaking / self.words if self.words else estimate_speech("word")
        return sum(_nominal(s) * self.scale + per_word * len(s.text.split()) for s in steps)

    def step(self, step: Step) -> None:
        """Speak one step and wait out its timing; "again" speaks it once more."""
        while self.speak_step(step) == "again":
            pass
        self.steps_done += 1

    def speak_step(self, step: Step) -> str | None:
        start = self.t()
        if step.tone and self.tone is not None:
            self.tone(step.tone)
        self.say(step.text)
        for beat in range(1, step.count or 0):
            command = self.wait_until(start + beat * self.scale)
            if command is not None:
                return command
            self.say(COUNT_WORDS[beat + 1])
        if step.count:
            end = start + step.count * self.scale
        elif step.seconds:
            end = start + step.seconds * self.scale
        else:
            end = self.t()
        return self.wait_until(max(end, self.t()) + step.pause * self.scale)

    def wait_until(self, target: float) -> str | None:
        """Sleep in short slices until practice time `target`, obeying the controls.

        Returns "again" or "next" when the client asks for one; raises _Stopped on "stop".
        """
        while True:
            command = self.controls.poll()
            if command == "stop":
                raise _Stopped
            if command == "pause":
                self.hold()
            elif command == "slower":
                self.scale = min(self.scale * SLOWER, MAX_SCALE)
                log.debug("slower: pauses now x%.2f", self.scale)
            elif command in ("again", "next"):
                return command
            elif command is not None and command not in COMMANDS:
                log.debug("ignoring unknown control %r", command)
            remaining = target - self.t()
            if remaining <= 1e-9:
                return None
            self.clock.sleep(min(SLICE, remaining))

    def hold(self) -> None:
        """Paused: wait quietly for resume (or stop); the time does not count."""
        began = self.clock.now()
        try:
            while (command := self.controls.poll()) != "resume":
                if command == "stop":
                    raise _Stopped
                self.clock.sleep(SLICE)
        finally:
            self.paused += self.clock.now() - began

    def repeat(self, block: Repeat, budget: float, outro: list[Step]) -> None:
        """Rounds of the block until one more would end over half a round past `budget`.

        At least one round; the closing steps' time is kept free, so the whole practice
        ends within half a round of the budget.
        """
        nominal = sum(_nominal(s) for s in block.steps)
        for _ in range(int(budget / max(nominal, 1.0)) + 1):
            began = self.t()
            for step in block.steps:
                self.step(step)
            cycle = max(self.t() - began, nominal * self.scale)
            if self.t() + self.foresee(outro) + cycle / 2 >= budget:
                return


def _nominal(step: Step) -> float:
    """A step's scripted length at normal pace, not counting speech outside its beats."""
    return float(step.count or step.seconds or 0.0) + step.pause


def play(
    skill: Skill,
    *,
    minutes: float | None = None,
    speaker: Speaker,
    clock: Clock,
    controls: Controls | None = None,
    show: Callable[[str], None] | None = None,
    tone: Callable[[str], None] | None = None,
) -> Practice:
    """Guide a timed skill aloud, for `minutes` (default the skill's) if it has a repeat block.

    `show` receives every line as it is spoken (for the screen), `tone` every tone's name.
    """
    if skill.kind != "timed":
        raise GuideError(
            f"Skill '{skill.id}' is interactive: ask questions(skill) in the "
            "conversation, then read back with readback(skill, answers)."
        )
    minutes = skill.minutes if minutes is None else minutes
    if minutes is not None and minutes <= 0:
        raise GuideError(f"Minutes must be above zero, not {minutes}.")
    if minutes is not None and not any(isinstance(p, Repeat) for p in skill.steps):
        log.info("%s has a fixed length; minutes are not used", skill.id)
    run = _Run(speaker, clock, controls or NoControls(), show, tone)
    stopped_by: str | None = None
    try:
        _perform(run, skill, minutes)
    except _Stopped:
        stopped_by = "stop"
    except KeyboardInterrupt:
        stopped_by = "interrupt"
    return Practice(skill.id, run.t0, run.t(), stopped_by is None, stopped_by, run.steps_done)


def _perform(run: _Run, skill: Skill, minutes: float | None) -> None:
    if skill.caution:
        run.step(Step(skill.caution, pause=CAUTION_PAUSE))
    parts = skill.steps
    for i, part in enumerate(parts):
        if isinstance(part, Repeat):
            outro = [p for p in parts[i + 1 :] if isinstance(p, Step)]
            run.repeat(part, (minutes or 0.0) * 60, outro)
        elif isinstance(part, Step):
            run.step(part)


class _SimClock:
    """Virtual time for timeline(): sleeping only moves the hands."""

    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


class _SimSpeaker:
    """Records each line at its virtual time, and lets the estimated speaking time pass."""

    def __init__(self, clock: _SimClock, speaking: Callable[[str], float]) -> None:
        self.clock, self.speaking = clock, speaking
        self.lines: list[tuple[float, str]] = []

    def say(self, text: str) -> None:
        self.lines.append((round(self.clock.time, 3), text))
        self.clock.sleep(self.speaking(text))


def timeline(
    skill: Skill,
    minutes: float | None = None,
    *,
    speaking: Callable[[str], float] = estimate_speech,
) -> list[tuple[float, str]]:
    """The schedule play() follows, as (seconds from start, line); pure, no waiting.

    Computed by playing on virtual time, so a text-only mode has exactly the same timings.
    """
    clock = _SimClock()
    speaker = _SimSpeaker(clock, speaking)
    play(skill, minutes=minutes, speaker=speaker, clock=clock)
    return speaker.lines

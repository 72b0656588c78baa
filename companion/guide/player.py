"""The timed-skill player: speaks a skill's steps with their silences, between-step controls."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from companion.guide.answers import questions, readback
from companion.guide.model import BREATH_TONES, GuideError, Repeat, Skill, Step
from companion.guide.ports import (
    Clock,
    Controls,
    Listener,
    NoControls,
    SimClock,
    SimSpeaker,
    Speaker,
    SystemClock,
    estimate_speech,
)

__all__ = [
    "Clock",
    "Controls",
    "Listener",
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
COMMANDS = frozenset({"stop", "pause", "resume", "toggle", "slower", "again", "next"})
"""toggle: pause, or go on when paused (the space key)."""
SLICE = 0.1  # seconds: the longest sleep between two polls of the controls
HEAR_SLICE = 0.5  # seconds: the longest a listener waits for speech to begin between key polls
SLOWER = 1.25  # each "slower" stretches every later pause and beat by this
MAX_SCALE = 2.0  # never slower than twice the scripted pace
CAUTION_PAUSE = 2.0  # seconds of silence after a skill's caution
COUNT_WORDS = ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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
        *,
        listener: Listener | None = None,
        notice: Callable[[str], None] | None = None,
        tones: bool = False,
        screen: Callable[[str], None] | None = None,
    ) -> None:
        self.speaker, self.clock, self.controls = speaker, clock, controls
        self.show, self.tone = show, tone
        self.listener, self.notice = listener, notice or (lambda event: None)
        self.tones, self.screen = tones, screen
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
        breath = step.tone in BREATH_TONES
        if step.tone and self.tone is not None and (self.tones or not breath):
            self.tone(step.tone)
        if self.tones and breath:  # the tone stands for the words and the count
            for show in (self.show, self.screen):
                if show is not None:
                    show(step.text)
        else:
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
        """Wait until practice time `target`, listening (or sleeping in short slices) between
        polls of the keys, and obeying what the client asks.

        Returns "again" or "next" when the client asks for one; raises _Stopped on "stop".
        """
        while True:
            command = self.controls.poll()
            if command is None:
                remaining = target - self.t()
                if remaining <= 1e-9:
                    return None
                command = self.listen(remaining)
            if command == "stop":
                raise _Stopped
            if command in ("pause", "toggle"):
                command = self.hold()
            if command == "slower":
                target = self.slow_down(target)
            elif command in ("again", "next"):
                return command
            elif command is not None and command not in COMMANDS:
                log.debug("ignoring unknown control %r", command)

    def listen(self, remaining: float) -> str | None:
        """A command heard within `remaining` seconds (at most HEAR_SLICE); with nothing to
        listen with, or no time passing while listening (input over), a short sleep."""
        if self.listener is not None:
            began = self.clock.now()
            command = self.listener.listen(min(remaining, HEAR_SLICE))
            if command is not None or self.clock.now() - began > 1e-9:
                return command
        self.clock.sleep(min(SLICE, remaining))
        return None

    def slow_down(self, target: float) -> float:
        """Stretch every later pause and beat, and the rest of this one, up to MAX_SCALE."""
        scale = min(self.scale * SLOWER, MAX_SCALE)
        if scale <= self.scale + 1e-9:
            self.notice("slowest")
            return target
        factor, self.scale = scale / self.scale, scale
        log.debug("slower: pauses now x%.2f", self.scale)
        self.notice("slower")
        now = self.t()
        return now + max(target - now, 0.0) * factor

    def hold(self) -> str | None:
        """Paused: wait quietly for go on (or stop); the time does not count. Returns "again"
        or "next" when one of those ended the pause."""
        began = self.clock.now()
        try:
            self.notice("paused")
            while True:
                command = self.controls.poll() or self.listen(math.inf)
                if command == "stop":
                    raise _Stopped
                if command in ("resume", "toggle", "again", "next"):
                    break
        finally:
            self.paused += self.clock.now() - began
        self.notice("resumed")
        return command if command in ("again", "next") else None

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
    listener: Listener | None = None,
    notice: Callable[[str], None] | None = None,
    tones: bool = False,
    screen: Callable[[str], None] | None = None,
) -> Practice:
    """Guide a timed skill aloud, for `minutes` (default the skill's) if it has a repeat block.

    `show` receives every line as it is spoken (for the screen), `tone` every tone's name.
    `controls` are polled (keys) and `listener` heard (voice) only between spoken lines;
    `notice` hears "paused", "resumed", "slower" and "slowest" as they happen. With `tones`,
    a skill with breath tones is paced by them: each such step's tone plays, its text goes to
    `screen` (shown, not spoken) and its count is silent.
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
    run = _Run(speaker, clock, controls or NoControls(), show, tone, listener=listener,
               notice=notice, tones=tones and skill.has_tones, screen=screen)
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
    mode = "tones" if run.tones else "counts"
    parts = [p for p in skill.steps if not isinstance(p, Step) or p.only in (None, mode)]
    for i, part in enumerate(parts):
        if isinstance(part, Repeat):
            outro = [p for p in parts[i + 1 :] if isinstance(p, Step)]
            run.repeat(part, (minutes or 0.0) * 60, outro)
        elif isinstance(part, Step):
            run.step(part)


def timeline(
    skill: Skill,
    minutes: float | None = None,
    *,
    speaking: Callable[[str], float] = estimate_speech,
    tones: bool = False,
) -> list[tuple[float, str]]:
    """The schedule play() follows, as (seconds from start, line spoken); pure, no waiting.

    Computed by playing on virtual time, so a text-only mode has exactly the same timings.
    """
    clock = SimClock()
    speaker = SimSpeaker(clock, speaking)
    play(skill, minutes=minutes, speaker=speaker, clock=clock, tones=tones)
    return speaker.lines

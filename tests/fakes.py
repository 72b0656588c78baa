"""Scripted fakes for the session's interfaces (answer source, prompter, safety, clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from companion.session import Answer


class ScriptedAnswers:
    """Hands out answers in order; None (end of input) when the script runs out."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.asked: list[str] = []

    def listen(self, prompt):
        self.asked.append(prompt.id)
        return Answer(self.texts.pop(0)) if self.texts else None


class RecordingPrompter:
    """Keeps everything said, with its role."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    def say(self, text, role="info"):
        self.said.append((role, text))

    def prompts(self):
        return [t for r, t in self.said if r == "prompt"]


class RecordingSafety:
    """Records triggers; continues unless told not to."""

    def __init__(self, carry_on: bool = True) -> None:
        self.triggers = []
        self.carry_on = carry_on

    def respond(self, trigger, prompter, source):
        self.triggers.append(trigger)
        prompter.say("SAFETY NOTICE", "safety")
        return self.carry_on


class StepClock:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now

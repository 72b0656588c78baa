"""Scripted fakes for the session's interfaces (answer source, prompter, safety, clock)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from companion.interfaces import Answer


class RecordingSpeaker:
    """Stands in for pyttsx3 + the sound card in CLI tests: keeps what would have been said."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def close(self) -> None:
        pass


def run_cli(argv, home, stdin=b"", speaker=None):
    """`companion ARGV` in-process with COMPANION_HOME=home: (exit code, stdout, stderr).
    stdin: bytes, text, or a stream (e.g. a fake terminal). Speech goes to `speaker` (a new
    RecordingSpeaker unless given), never to the sound card."""
    from companion.cli.main import main

    if isinstance(stdin, str):
        stdin = stdin.encode()
    stream = stdin if hasattr(stdin, "readline") else io.BytesIO(stdin)
    out, err = io.StringIO(), io.StringIO()
    env = {"COMPANION_HOME": str(home), "HOME": str(home.parent)}
    speaker = RecordingSpeaker() if speaker is None else speaker
    code = main(argv, env=env, stdin=stream, stdout=out, stderr=err,
                make_speaker=lambda voice: speaker)
    return code, out.getvalue(), err.getvalue()


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

    def text(self) -> str:
        return "\n".join(t for _, t in self.said)


class RecordingSafety:
    """Records triggers; continues unless told not to."""

    def __init__(self, carry_on: bool = True) -> None:
        self.triggers = []
        self.carry_on = carry_on

    def respond(self, trigger, ask, say, on_disclosure):
        self.triggers.append(trigger)
        say("SAFETY NOTICE", "safety")
        return self.carry_on


class StepClock:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


@contextlib.contextmanager
def read_only(path):
    """A folder nobody may write to: chmod for ordinary users, the immutable flag for root."""
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield
        finally:
            path.chmod(0o700)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: no way to make a folder read-only")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this filesystem has no immutable flag for root: {done.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)

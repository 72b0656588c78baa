"""The shared question/answer types every layer speaks: a prompt, an answer, where answers
come from and how messages reach the client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Prompt:
    """One question of a worksheet."""

    id: str
    kind: str
    text: str
    hint: str = ""
    condition: str | None = None
    """Id of an earlier prompt whose answer must have named something."""


@dataclass(frozen=True)
class Answer:
    """What an answer source heard or read for one prompt."""

    text: str
    words: tuple[tuple[str, float], ...] = ()
    """Recognised words with confidences (0-1), when a recognizer produced them."""
    source: str = "typed"


class AnswerSource(Protocol):
    """Where answers come from: the keyboard, a microphone, audio files, a test script."""

    def listen(self, prompt: Prompt) -> Answer | None:
        """The answer to `prompt`, or None when no more input will come (end of input)."""


class Prompter(Protocol):
    """How prompts and messages reach the client: screen, speech, or both."""

    def say(self, text: str, role: str = "info") -> None:
        """Deliver `text`; role is one of prompt, hint, info, safety, summary, screen (shown,
        not spoken: e.g. the long on-screen summary) or spoken (said, not shown again). Blocks
        until done."""


@dataclass(frozen=True)
class Reply:
    """What one question got, after commands, silence and re-asks were handled."""

    status: str
    """answer | unclear (asked again, still not understood) | empty (nothing said twice) |
    skip | back | stop | ended (no more input)."""
    text: str = ""
    result: Any = None
    """What the words were understood to mean (an understand.analysis.Analysis)."""
    words: tuple[tuple[str, float], ...] = ()
    source: str = "typed"
    earlier: tuple[str, ...] = ()
    """Earlier attempts at this question that were not understood (kept, never lost)."""
    disclosure: tuple[str, ...] = ()
    """Crisis kinds and safety urges the reply carries, whatever the question was."""

    @property
    def answer(self) -> str | None:
        """'yes' / 'no' for a yes/no question that got a clear one (else None)."""
        return getattr(self.result, "answer", None) if self.status == "answer" else None


Ask = Callable[..., Reply]
"""The dialog engine's ask(question, ...) as handed to the layers that need to ask."""

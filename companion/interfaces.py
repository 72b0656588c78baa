"""The shared question/answer types every layer speaks: a prompt, an answer, where answers
come from and how messages reach the client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
        """Deliver `text`; role is one of prompt, hint, info, safety, summary. Blocks until done."""

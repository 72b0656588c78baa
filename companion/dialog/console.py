"""Typed answers from a keyboard or a pipe, and prompts shown as text."""

from __future__ import annotations

import io
import sys
from typing import IO, TextIO

from companion.interfaces import Answer, Prompt

_MARKS = {"prompt": "\n» ", "hint": "  ", "info": "", "safety": "\n", "summary": ""}


class ConsolePrompter:
    """Writes prompts and messages to a text stream (stdout, or stderr under --json)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def say(self, text: str, role: str = "info") -> None:
        if role == "spoken":  # for the ears only: its words are already on screen
            return
        print(f"{_MARKS.get(role, '')}{text}", file=self.stream, flush=True)


class TypedAnswers:
    """One answer per line. Invalid UTF-8 is replaced, never fatal; EOF ends the session."""

    def __init__(self, stdin: IO[bytes] | IO[str], echo: TextIO, interactive: bool) -> None:
        if isinstance(stdin, io.TextIOBase):
            stdin = getattr(stdin, "buffer", stdin)
        if isinstance(stdin, io.TextIOBase):
            self.lines: IO[str] = stdin
        else:
            self.lines = io.TextIOWrapper(stdin, encoding="utf-8", errors="replace")  # type: ignore[arg-type]
        self.echo = echo
        self.interactive = interactive

    def listen(self, prompt: Prompt) -> Answer | None:
        if self.interactive:
            print("  > ", end="", file=self.echo, flush=True)
        line = self.lines.readline()
        if not line:
            return None
        text = line.rstrip("\r\n")
        if not self.interactive:
            print(f"  > {text[:200]}{'…' if len(text) > 200 else ''}", file=self.echo, flush=True)
        return Answer(text=text, source="typed")


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False

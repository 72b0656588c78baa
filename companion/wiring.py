"""Builds the answer source and prompter a command uses (typed now; voice plugs in here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from companion.console import ConsolePrompter, TypedAnswers, stdin_is_terminal
from companion.session import AnswerSource, Prompter
from companion.settings import VoiceSettings


@dataclass
class SessionIO:
    """The pieces a worksheet session talks through, and how to release them."""

    source: AnswerSource
    prompter: Prompter
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def build_io(voice: VoiceSettings, ctx: Any, *, json_mode: bool) -> SessionIO:
    """Typed answers and on-screen prompts; stderr carries the UI when stdout holds JSON."""
    ui = ctx.stderr if json_mode else ctx.stdout
    prompter = ConsolePrompter(ui)
    source = TypedAnswers(ctx.stdin, echo=ui, interactive=stdin_is_terminal())
    return SessionIO(source=source, prompter=prompter)

"""Command line: parses arguments, runs one command, turns our errors into messages and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from companion import __version__
from companion.errors import EXIT_MEANINGS, CompanionError, ExitCode
from companion.paths import default_home

log = logging.getLogger("companion")

# Every command module registers its subcommands: `register(subparsers)` adds parsers whose
# defaults set `handler(args, ctx) -> int`. They import engines lazily. `prepare` is the default.
COMMANDS = ("prepare", "resume", "summary", "reflect", "history", "show", "progress", "export",
            "forget", "plan", "config", "check", "devices", "model", "transcribe", "analyze",
            "skill")
DEFAULT_COMMAND = "prepare"
DISCLAIMER = (
    "It is a preparation aid: not a crisis service, not an emergency service and not a "
    "therapist. In danger now? Call your local emergency number (911 in the US and Canada, "
    "999 in the UK, 112 in the EU, 000 in Australia, 111 in New Zealand) or a crisis line "
    "(call or text 988 in the US and Canada; Samaritans 116 123 in the UK and Ireland)."
)
GLOBAL_FLAGS = ("-v", "--verbose")


@dataclass
class Context:
    """What a command may touch of the outside world; tests pass their own."""

    env: dict[str, str]
    stdin: IO[Any]
    stdout: TextIO
    stderr: TextIO
    make_speaker: Callable[[Any], Any] | None = None
    """Builds the speaker from VoiceSettings; None = the real one (tests pass a recorder)."""
    make_source: Callable[[], Any] | None = None
    """Builds the answer source instead of keyboard/microphone (scripted conversations)."""
    home: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = default_home(self.env)


def build_parser() -> tuple[argparse.ArgumentParser, set[str]]:
    parser = argparse.ArgumentParser(
        prog="companion",
        description=textwrap.fill("Get ready for a DBT coaching call, out loud and offline. "
                                  + DISCLAIMER, 78),
        epilog="With no command, `companion` runs `companion prepare`.\n\nExit codes:\n"
        + "\n".join(f"  {int(code):>3}  {text}" for code, text in EXIT_MEANINGS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="diagnostics on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"companion.cli.{name}").register(sub)
    return parser, set(sub.choices)


def main(argv: list[str] | None = None, *, env: dict[str, str] | None = None,
         stdin: IO[Any] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None,
         make_speaker: Callable[[Any], Any] | None = None,
         make_source: Callable[[], Any] | None = None) -> int:
    """Run one command; returns the exit code. Nothing below this function prints errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ctx = Context(env=dict(os.environ if env is None else env), stdin=stdin or sys.stdin,
                  stdout=stdout or sys.stdout, stderr=stderr or sys.stderr,
                  make_speaker=make_speaker, make_source=make_source)
    parser, commands = build_parser()
    argv = _with_command(argv, commands)
    try:  # argparse prints help and usage errors itself: send them to our streams
        with contextlib.redirect_stdout(ctx.stdout), contextlib.redirect_stderr(ctx.stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        stream=ctx.stderr, format="%(name)s: %(message)s")
    try:
        return int(args.handler(args, ctx))
    except CompanionError as exc:
        print(f"companion: {exc}", file=ctx.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("\ncompanion: stopped.", file=ctx.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK


def _with_command(argv: list[str], commands: set[str]) -> list[str]:
    """Global options first (wherever they were typed), then `prepare` if no command was given."""
    globals_ = [a for a in argv if a in GLOBAL_FLAGS]
    rest = [a for a in argv if a not in GLOBAL_FLAGS]
    asked_for_help = any(a in ("-h", "--help", "--version") for a in rest)
    if (not rest or rest[0] not in commands) and not asked_for_help:
        rest.insert(0, DEFAULT_COMMAND)
    return globals_ + rest


def run() -> None:
    """Console-script entry point."""
    # One BLAS thread: the sentence encoder shares two cores with speech recognition and
    # synthesis, and multi-threaded BLAS measured 300-500 ms stalls per answer under load.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main())

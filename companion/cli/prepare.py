"""`companion prepare`: walk the worksheet, then show (and speak) the summary."""

from __future__ import annotations

from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.cli.options import add_session_options, now, settings_from
from companion.cli.output import finish
from companion.dialog import worksheet as worksheets
from companion.dialog.console import stdin_is_terminal
from companion.dialog.region import ask_region_once
from companion.dialog.session import run_session
from companion.dialog.wiring import build_io
from companion.journal.store import SessionStore
from companion.safety import crisis_lines
from companion.safety import response as safety


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("prepare", help="prepare a coaching call (the default command)",
                       description="Walk through the coaching-call worksheet, then show the "
                       "summary to read out on the call.")
    add_session_options(p)
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    settings = settings_from(args, ctx)
    sheet = worksheets.load(settings.worksheet) if settings.worksheet else worksheets.load_default()
    io = build_io(settings.voice, ctx, json_mode=settings.json)
    try:
        io.prompter.say(sheet.title + ". Say or type 'help' at any time.", "info")
        if stdin_is_terminal() and not settings.voice.audio_in:  # never eat a scripted answer
            ask_region_once(crisis_lines.user_config(settings.home), io.prompter, io.source)
        record = run_session(sheet, source=io.source, prompter=io.prompter,
                             store=SessionStore(settings.home), clock=now,
                             safety=safety.for_home(settings.home, settings.region),
                             mode="voice" if settings.voice.listen else "typed")
        return finish(record, settings, ctx, io.prompter)
    finally:
        io.close()



"""`companion prepare`: walk the worksheet, then show (and speak) the summary."""

from __future__ import annotations

from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.cli.options import add_session_options, now, settings_from
from companion.cli.output import finish_then_offer
from companion.cli.skill import guidance_for
from companion.dialog import worksheet as worksheets
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
    guidance = guidance_for(io, settings.voice, ctx, json_mode=settings.json,
                            region=settings.region)
    try:
        io.prompter.say(sheet.title + ". Say or type 'help' at any time.", "info")
        warn_missing_roles(sheet, settings, ctx)
        first = None
        if io.by_question:  # never takes a piped answer meant for the worksheet
            config = crisis_lines.user_config(settings.home)

            def first(dialog: Any) -> str:
                return ask_region_once(config, dialog)[1]
        record = run_session(sheet, source=io.source, prompter=io.prompter,
                             store=SessionStore(settings.home), clock=now,
                             safety=safety.HomeResponder(settings.home, settings.region,
                                                         offer=guidance.safety_offer),
                             mode=io.mode, speak=settings.voice.speak, first=first)
        return finish_then_offer(record, settings, ctx, io, guidance)
    finally:
        io.close()




def warn_missing_roles(sheet: Any, settings: Any, ctx: Any) -> None:
    """A custom worksheet without a question for some summary part: say which, once."""
    if settings.worksheet is None:
        return
    missing = sheet.missing_roles()
    if missing:
        print(f"companion: note: {sheet.source} has no question for "
              f"{', '.join(m.replace('_', ' ') for m in missing)}; the summary will quote "
              "every answer given instead. Add role = \"...\" to a prompt to place it.",
              file=ctx.stderr)

"""`companion summary [ID]`: the summary to read on the call (the last session's by default)."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.errors import RecordError
from companion.journal.history import LAST, Journal


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("summary", help="show (or speak) a session's summary",
                       description="Show the summary to read out on the call; the last "
                       "session's unless you give an ID (any unique start of it).")
    p.add_argument("id", metavar="ID", nargs="?", default=LAST,
                   help="session id or a unique prefix (default: last)")
    p.add_argument("--speak", action="store_true", help="also read the summary aloud")
    p.add_argument("--json", action="store_true", help="print id, summary and skills as JSON")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.output import render_summary

    record = Journal(ctx.home).get(args.id)
    if not record.get("summary"):
        raise RecordError(f"Session {record['id']} has no summary yet: nothing was answered. "
                          f"Continue it with `companion resume {record['id']}`.")
    if args.json:
        data = {key: record.get(key) for key in ("id", "started_at", "complete", "summary",
                                                 "suggested_skills")}
        print(json.dumps(data, ensure_ascii=False), file=ctx.stdout)
    text = render_summary(record)
    if args.speak:
        _speak(text, ctx, json_mode=args.json)
    elif not args.json:
        print(text, file=ctx.stdout)
    return 0


def _speak(text: str, ctx: Any, *, json_mode: bool) -> None:
    """The prompter shows the text and, once voice output is wired in, reads it aloud."""
    from companion.dialog.wiring import build_io
    from companion.settings import VoiceSettings

    io = build_io(VoiceSettings(speak=True, listen=False), ctx, json_mode=json_mode)
    try:
        io.prompter.say(text, "summary")
    finally:
        io.close()

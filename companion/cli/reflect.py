"""`companion reflect [ID]`: after the call, note what helped (spoken or typed)."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from datetime import date, timedelta
from typing import Any

from companion.errors import ExitCode, UsageError
from companion.journal.history import LAST, Journal
from companion.journal.render import reflection_of


def register(sub: _SubParsersAction) -> None:
    from companion.cli.options import add_session_options

    p = sub.add_parser("reflect", help="after the call: which skills helped, what happened",
                       description="A few questions after your call: which skills you used, how "
                       "much each helped (0-10), whether you acted on urges, and one thing to "
                       "remember. Saved with the session; `progress` counts it.")
    p.add_argument("id", metavar="ID", nargs="?", default=LAST,
                   help="session id or a unique prefix (default: last)")
    add_session_options(p)  # the same voice and typing options as prepare
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.options import settings_from

    if args.worksheet is not None:
        raise UsageError("`reflect` asks its own questions; leave out --worksheet.")
    settings = settings_from(args, ctx)
    journal = Journal(settings.home)
    session_id = journal.resolve(args.id)
    with journal.store.hold(session_id):  # read it only once no other window can write it
        return reflect_on(journal.load(session_id), journal, settings, args, ctx)


def reflect_on(record: dict[str, Any], journal: Journal, settings: Any, args: Namespace,
               ctx: Any) -> int:
    """Ask the reflection questions about `record` (this process holds its lock)."""
    from companion.cli.options import now
    from companion.data import load_data
    from companion.dialog import reflect
    from companion.dialog.wiring import build_io
    from companion.journal.render import reflection_lines
    from companion.safety import response as safety

    mode = "typed" if args.typed else "voice"
    current = reflection_of(record)
    reflection = current if current and not current.get("complete") \
        else reflect.new_reflection(now(), mode)
    io = build_io(settings.voice, ctx, json_mode=args.json)
    try:
        when = (record.get("started_at") or "")[:10]
        io.prompter.say(f"{load_data(reflect.DATA)['intro']} (Session {record['id']}, {when}.)",
                        "info")
        for line in practised_lately(settings.home, now().date()):
            io.prompter.say(line, "info")
        flow = reflect.Reflection(
            record, reflection, source=io.source, prompter=io.prompter,
            safety=safety.for_home(settings.home, settings.region),
            save=lambda r: journal.save_reflection(record, r, now()),
            clock=now)
        reflection = flow.run()
    finally:
        io.close()
    if args.json:
        print(json.dumps(reflection, ensure_ascii=False), file=ctx.stdout)
    else:
        print("\n".join(reflection_lines(record)), file=ctx.stdout)
    if not reflection["complete"]:
        print(f"companion: the reflection is saved as far as it went; continue it with "
              f"`companion reflect {record['id']}`.", file=ctx.stderr)
        return 0 if reflection["status"] == "stopped" else ExitCode.INCOMPLETE
    return 0


def practised_lately(home: Any, today: date) -> list[str]:
    """The look back at skills practised in the last days (reflect.toml [practices])."""
    from companion.data import load_data
    from companion.dialog import reflect
    from companion.journal.practices import practice_summary

    days = load_data(reflect.DATA)["practices"]["days"]
    return reflect.look_back(practice_summary(home, today - timedelta(days=days - 1)))

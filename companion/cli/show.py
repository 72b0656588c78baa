"""`companion show ID`: a whole session (summary, transcript, reflection) as text, Markdown or JSON."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.journal.history import Journal
from companion.journal.render import render_markdown, render_text


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("show", help="show one session: summary, transcript and reflection",
                       description="Show a saved session. ID may be any unique start of the "
                       "id, or `last`.")
    p.add_argument("id", metavar="ID", help="session id, a unique prefix of it, or `last`")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="the saved record as JSON")
    how.add_argument("--markdown", action="store_true", help="the transcript as Markdown")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    record = Journal(ctx.home).get(args.id)
    if args.json:
        text = json.dumps(record, ensure_ascii=False, indent=2)
    elif args.markdown:
        text = render_markdown(record)
    else:
        text = render_text(record)
    print(text.rstrip("\n"), file=ctx.stdout)
    return 0

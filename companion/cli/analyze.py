"""`companion analyze`: what the companion understands in a text, as JSON lines."""

from __future__ import annotations

import io
import json
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.understand import analysis


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="show what is understood in answers (JSON lines)",
                       description="Print one JSON object per text with the understood fields. "
                       "With no TEXT, reads stdin, one text per line.")
    p.add_argument("--as", dest="kind", choices=analysis.KINDS, default="free",
                   help="the kind of prompt the text answers (default: free)")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    texts = args.texts or _stdin_lines(ctx.stdin)
    for text in texts:
        print(json.dumps(analysis.analyze(text, args.kind).as_dict(), ensure_ascii=False),
              file=ctx.stdout, flush=False)
    ctx.stdout.flush()
    return 0


def _stdin_lines(stdin: Any):
    stream = getattr(stdin, "buffer", stdin)
    if not isinstance(stream, io.TextIOBase):
        stream = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
    for line in stream:
        yield line.rstrip("\r\n")

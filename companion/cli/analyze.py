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
    p.add_argument("--rules-only", action="store_true",
                   help="the phrase rules alone, without the semantic layer")
    p.add_argument("texts", nargs="*", metavar="TEXT")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    texts = args.texts or _stdin_lines(ctx.stdin)
    semantic = None if args.rules_only else semantic_layer(ctx)
    for text in texts:
        if semantic is None:
            result, layers = analysis.analyze(text, args.kind), {}
        else:
            result, layers = analysis.understand(text, args.kind, semantic)
        row = result.as_dict()
        if args.verbose:  # which layer decided: the rules, or the semantic layer
            row["decided_by"] = {k: layers.get(k, "rule") for k, v in row.items()
                                 if v not in (None, [], False)}
        print(json.dumps(row, ensure_ascii=False), file=ctx.stdout, flush=False)
    ctx.stdout.flush()
    return 0


def semantic_layer(ctx: Any) -> Any:
    """The semantic layer, waited for (analyze is a batch tool); None with a note if missing."""
    from companion.understand.semantic import loader

    layer = loader().wait()
    if layer is None:
        print(f"companion: semantic understanding unavailable ({loader().problem}); rules only.",
              file=ctx.stderr)
    return layer


def _stdin_lines(stdin: Any):
    stream = getattr(stdin, "buffer", stdin)
    if not isinstance(stream, io.TextIOBase):
        stream = io.TextIOWrapper(stream, encoding="utf-8", errors="replace")
    for line in stream:
        yield line.rstrip("\r\n")

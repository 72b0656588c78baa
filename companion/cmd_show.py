"""`companion show ID`: a whole session (summary, transcript, reflection) as text, Markdown or JSON."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.journal import Journal
from companion.transcript import reflection_lines, reflection_of, render_markdown
from companion.vocabulary import display, format_number, join_words


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


def render_text(record: dict[str, Any]) -> str:
    """The session as plain text for a terminal or a printout."""
    when = (record.get("started_at") or "?")[:16].replace("T", " ")
    status = "complete" if record.get("complete") else \
        f"not finished ({record.get('status', '?')}); `companion resume {record['id']}` continues it"
    lines = [f"Session {record['id']}, {when}, {status}", ""]
    if record.get("summary"):
        lines += ["Summary:", f"  {record['summary']}", ""]
    if record.get("suggested_skills"):
        names = join_words([display("skills", s) for s in record["suggested_skills"]])
        lines += [f"Skills I could ask about: {names}", ""]
    lines.append("Transcript:")
    for prompt in record.get("prompts", []):
        answer = record.get("answers", {}).get(prompt.get("id"))
        if isinstance(answer, dict):
            lines += [f"  {prompt.get('text', prompt.get('id'))}", *_answer_lines(answer)]
    if reflection_of(record):
        lines += ["", "Reflection after the call:"] + [f"  {x}" for x in reflection_lines(record)]
    return "\n".join(lines) + "\n"


def _answer_lines(answer: dict[str, Any]) -> list[str]:
    if answer.get("skipped"):
        return ["    (skipped)"]
    lines = [f"    > {answer.get('text', '')}"]
    understood = [join_words([display(g, i) for i in answer[g]])
                  for g in ("emotions", "urges", "skills") if answer.get(g)]
    if isinstance(answer.get("intensity"), int | float):
        understood.append(f"{format_number(answer['intensity'])}/10")
    if answer.get("answer"):
        understood.append(str(answer["answer"]))
    if understood:
        lines.append(f"    (understood: {'; '.join(understood)})")
    return lines

"""`companion export`: write sessions to a file to print or share; nothing is sent anywhere."""

from __future__ import annotations

import csv
import io
from argparse import Namespace, _SubParsersAction
from datetime import date
from pathlib import Path
from typing import Any

from companion.cli.output import write_private
from companion.data.names import display
from companion.errors import UsageError
from companion.journal import progress
from companion.journal.history import Journal
from companion.journal.practice_render import practices_csv, practices_markdown, practices_text
from companion.journal.practices import practice_rows

FORMATS = {"markdown": "md", "text": "txt", "csv": "csv"}
CSV_FIELDS = ("id", "started_at", "status", "situation", "emotions", "intensity", "urges",
              "urge_intensity", "skills_tried", "goal", "backup", "summary",
              "skills_used", "helped", "urges_acted_on", "remember", "emotion_categories",
              "urge_categories")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Spreadsheets run cells starting with these as formulas; such cells get a leading quote."""


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("export", help="write sessions to a file for your therapist",
                       description="Write one session, or every session (since a date), to a "
                       "Markdown, text or CSV file you can print or send yourself; the skills "
                       "you practised come after the sessions (in a CSV file of their own: "
                       "--practices). Nothing is sent anywhere by companion.")
    p.add_argument("id", metavar="ID", nargs="?", help="one session (id, prefix or `last`)")
    p.add_argument("--since", metavar="DATE", help="sessions from this day on (YYYY-MM-DD)")
    p.add_argument("--practices", action="store_true",
                   help="only the skills practised (skill, when, minutes, how much it helped)")
    p.add_argument("--format", choices=FORMATS, default="markdown",
                   help="markdown (default), text or csv")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="where to write (default: a new file in this folder; - for stdout)")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.options import now

    if args.id and (args.since or args.practices):
        raise UsageError("Give either a session ID, or --since DATE and --practices, not both.")
    journal = Journal(ctx.home)
    today = now().date()
    day = progress.parse_since(args.since, today) if args.since else None
    practised = len(practice_rows(ctx.home, day)) if not args.id else 0
    if args.practices:
        if not practised:
            raise UsageError(f"No practices since {day} to export." if day else
                             "No practices to export yet. Try `companion skill`.")
        records, text = [], render_practices(ctx.home, day, args.format, today)
    else:
        records = [journal.get(args.id)] if args.id else progress.since(journal.records(), day)
        records = [r for _, r in progress.chronological(records)] or records
        if not records and (args.format == "csv" or not practised):
            hint = " (your practices: --practices)" if practised else ""
            raise UsageError((f"No sessions since {day} to export" if day else
                              "No saved sessions to export yet") + f"{hint}.")
        text = render(records, args.format, today) if records else ""
        if practised and args.format == "csv":
            practised = 0
            print("companion: note: the skills you practised are not in this CSV file (one "
                  "table per file); `companion export --practices --format csv` writes them.",
                  file=ctx.stderr)
        elif practised:
            section = render_practices(ctx.home, day, args.format, today)
            text = f"{text}\n{'---' if args.format == 'markdown' else '=' * 60}\n\n{section}" \
                if text else section
    if args.output == "-":
        ctx.stdout.write(text)
        return 0
    stem = f"companion-{records[0]['id']}" if args.id else \
        f"companion-{'practices' if args.practices else 'export'}-{today}"
    path = Path(args.output) if args.output else default_path(stem, FORMATS[args.format])
    write_private(path, text.encode("utf-8"))
    print(f"Wrote {_counted(len(records), practised)} to {path}. It holds private notes: share "
          "it only with people you choose.", file=ctx.stdout)
    return 0


def render_practices(home: Path, day: date | None, fmt: str, today: date) -> str:
    """The practices (oldest first) in one of FORMATS; markdown and text as the section that
    follows the sessions, or a document of their own."""
    if fmt == "csv":
        return practices_csv(home, day, safe=_cell)
    if fmt == "markdown":
        return practices_markdown(home, day)
    return practices_text(home, day)


def _counted(sessions: int, practices: int) -> str:
    parts = [f"{n} {what}{'' if n == 1 else 's'}" for n, what in
             ((sessions, "session"), (practices, "practice")) if n]
    return " and ".join(parts) or "nothing"


def render(records: list[dict[str, Any]], fmt: str, today: date) -> str:
    """The sessions (oldest first) in one of FORMATS."""
    from companion.journal.render import render_markdown, render_text

    if fmt == "csv":
        return to_csv(records)
    if fmt == "markdown":
        head = f"# Coaching-call journal\n\nExported {today}: {len(records)} session(s).\n\n"
        return head + "\n---\n\n".join(render_markdown(r) for r in records)
    head = f"Coaching-call journal, exported {today}: {len(records)} session(s).\n\n"
    return head + ("\n" + "=" * 60 + "\n\n").join(render_text(r) for r in records)


def to_csv(records: list[dict[str, Any]]) -> str:
    """One row per session, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(v) for k, v in csv_row(record).items()})
    return out.getvalue()


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One session: emotions and urges in the client's own words (with the category names in
    their own columns, for counting), ratings as numbers."""
    from companion.dialog.summary import own_words

    answers = record.get("answers", {})
    reflection = progress.reflection_of(record)
    urges = reflection.get("urges") or {}

    def said(field: str, key: str = "text") -> Any:
        answer = answers.get(field) or {}
        value = None if answer.get("skipped") else answer.get(key)
        return "; ".join(display(key, v) for v in value) if isinstance(value, list) else value

    return {
        "id": record["id"], "started_at": record.get("started_at"),
        "status": record.get("status"), "situation": said("situation"),
        "emotions": own_words(answers.get("emotions"), "emotions") or said("emotions", "emotions"),
        "intensity": said("intensity", "intensity"),
        "urges": own_words(answers.get("urges"), "urges") or said("urges", "urges"),
        "urge_intensity": said("urge_intensity", "intensity"),
        "skills_tried": said("skills_tried", "skills") or said("skills_tried"),
        "goal": said("goal"), "backup": said("backup"), "summary": record.get("summary"),
        "skills_used": "; ".join(display("skills", s) for s in reflection.get("skills") or []),
        "helped": "; ".join(f"{display('skills', s)} {v}"
                            for s, v in (reflection.get("helped") or {}).items() if v is not None),
        "urges_acted_on": "; ".join(
            f"{_urge(record, u)}: {'yes' if (o or {}).get('acted') else 'no'}"
            for u, o in urges.items() if (o or {}).get("acted") is not None),
        "remember": reflection.get("remember"),
        "emotion_categories": said("emotions", "emotions"),
        "urge_categories": said("urges", "urges"),
    }


def _urge(record: dict[str, Any], urge: str) -> str:
    """The urge as named in the reflection: its category, or the client's words for one the
    vocabulary did not know."""
    from companion.dialog.summary import own_words
    from companion.journal.render import urge_said

    if urge != progress.GENERAL_URGE:
        return display("urges", urge)
    return (own_words(record.get("answers", {}).get("urges"), "urges") if urge_said(record)
            else "") or "any urge"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def default_path(stem: str, extension: str) -> Path:
    """A new file in the current folder, never overwriting an earlier export."""
    path, number = Path(f"{stem}.{extension}"), 2
    while path.exists():
        path, number = Path(f"{stem}-{number}.{extension}"), number + 1
    return path

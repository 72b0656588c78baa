"""`companion history`: one line per saved session, newest first."""

from __future__ import annotations

import json
from argparse import Namespace, _SubParsersAction
from typing import Any

from companion.data.names import display, format_number
from companion.journal.history import Journal, started
from companion.journal.practice_render import practice_lines
from companion.journal.practices import practice_rows
from companion.journal.progress import number

WIDTHS = {"emotion": 16, "urges": 24, "skills": 26}


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("history", help="list saved sessions, newest first",
                       description="List saved sessions, newest first: date, strongest "
                       "emotion, urges, skills tried, and whether the session was finished; "
                       "then the skills practised with `companion skill`.")
    p.add_argument("--json", action="store_true",
                   help='print {"sessions": [...], "practices": [...]} as JSON')
    p.add_argument("-n", "--limit", type=int, metavar="N",
                   help="show only the newest N sessions (and N practices)")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    records = Journal(ctx.home).records()
    limit = None if args.limit is None else max(args.limit, 0)
    rows = [row(r) for r in records[:limit]]
    if args.json:
        practices = practice_rows(ctx.home)[:limit]
        print(json.dumps({"sessions": rows, "practices": practices}, ensure_ascii=False,
                         indent=2), file=ctx.stdout)
        return 0
    if not rows:
        print("\n".join(["No saved sessions yet. Start one with `companion prepare`.",
                         *practice_lines(ctx.home, limit=limit)]), file=ctx.stdout)
        return 0
    lines = [_line({"id": "ID", "date": "DATE", "emotion": "EMOTION", "urges": "URGES",
                    "skills": "SKILLS", "status": "STATUS"})]
    lines += [_line(_cells(r)) for r in rows]
    print("\n".join([*lines, "", *practice_lines(ctx.home, limit=limit)]).rstrip(),
          file=ctx.stdout)
    return 0


def row(record: dict[str, Any]) -> dict[str, Any]:
    """What history shows of one session, as data (also the --json output): the canonical ids
    (for counting) and the client's own words (what the screen shows)."""
    from companion.dialog.summary import own_items, own_words

    answers = record.get("answers", {})
    emotions = _named(answers, "emotions", "emotions")
    said = own_items(_answer(answers, "emotions"), "emotions")
    when = started(record)
    return {
        "id": record["id"],
        "started_at": record.get("started_at"),
        "date": when.strftime("%Y-%m-%d %H:%M") if when else "?",
        "top_emotion": emotions[0] if emotions else None,
        "emotion_said": said[0] if said else None,
        "intensity": number(_value(answers, "intensity", "intensity")),
        "urges": _named(answers, "urges", "urges"),
        "urges_said": own_words(_answer(answers, "urges"), "urges") or None,
        "urge_intensity": number(_value(answers, "urge_intensity", "intensity")),
        "skills": _named(answers, "skills_tried", "skills"),
        "complete": bool(record.get("complete")),
        "status": record.get("status") or ("complete" if record.get("complete") else "?"),
        "reflected": bool((record.get("reflection") or {}).get("complete")),
    }


def _cells(r: dict[str, Any]) -> dict[str, str]:
    """The client's words first; the category names only when there are no words."""
    emotion = r["emotion_said"] or (display("emotions", r["top_emotion"])
                                    if r["top_emotion"] else "")
    if r["intensity"] is not None:
        emotion = f"{emotion} {format_number(r['intensity'])}".strip()
    urges = r["urges_said"] or ", ".join(display("urges", u) for u in r["urges"])
    if urges and r["urge_intensity"] is not None:
        urges += f" {format_number(r['urge_intensity'])}"
    status = r["status"].replace("_", " ") + (" +reflection" if r["reflected"] else "")
    return {"id": r["id"], "date": r["date"], "emotion": emotion or "-", "urges": urges or "-",
            "skills": ", ".join(display("skills", s) for s in r["skills"]) or "-",
            "status": status}


def _line(c: dict[str, str]) -> str:
    fit = {k: _clip(c[k], w) for k, w in WIDTHS.items()}
    return (f"{c['id']:<7} {c['date']:<16}  {fit['emotion']:<{WIDTHS['emotion']}}  "
            f"{fit['urges']:<{WIDTHS['urges']}}  {fit['skills']:<{WIDTHS['skills']}}  "
            f"{c['status']}").rstrip()


def _clip(text: str, width: int) -> str:
    """Fit a cell; a rating at the end stays ("text him forty times 8" -> "text him… 8")."""
    if len(text) <= width:
        return text
    words, _, last = text.rpartition(" ")
    if words and last.replace(".", "").isdigit():
        return words[:width - len(last) - 2].rstrip() + "… " + last
    return text[:width - 1] + "…"


def _value(answers: dict[str, Any], field: str, key: str) -> Any:
    answer = answers.get(field) or {}
    return None if answer.get("skipped") else answer.get(key)


def _answer(answers: dict[str, Any], field: str) -> dict[str, Any] | None:
    answer = answers.get(field)
    return answer if isinstance(answer, dict) else None


def _named(answers: dict[str, Any], field: str, key: str) -> list[str]:
    value = _value(answers, field, key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

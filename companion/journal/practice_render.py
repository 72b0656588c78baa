"""The practices as people read them: terminal lines (history), the per-skill table (progress),
and the Markdown, text and CSV sections of `export`."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from companion.data.names import format_number
from companion.journal.practices import practice_rows

CSV_FIELDS = ("id", "started_at", "skill", "name", "kind", "minutes", "status", "stopped",
              "stopped_by", "helped", "offered_by")
"""One CSV row per practice (minutes: decimal; helped: 0-10, empty when not given)."""


def practice_lines(home: Path, since: date | None = None, limit: int | None = None) -> list[str]:
    """The practices as terminal lines under a heading (for `history`); [] when there are none."""
    rows = practice_rows(home, since)[:limit]
    if not rows:
        return []
    return ["Skills practised:", *(f"  {r['date']:<16}  {_clip(r['name'], 32):<32}  "
                                   f"{_minutes(r['minutes']):>8}  {_status(r)}" for r in rows)]


def summary_lines(summary: list[dict[str, Any]]) -> list[str]:
    """practice_summary as a terminal table (for `progress`); [] when nothing was practised."""
    if not summary:
        return []
    lines = [f"{'Skills practised with companion':<36}{'times':>8}  helped (0-10)"]
    for e in summary:
        helped = "-" if e["average_help"] is None else \
            f"{format_number(e['average_help'])} ({e['ratings']} rating" \
            f"{'s' if e['ratings'] != 1 else ''})"
        lines.append(f"  {_clip(e['name'], 33):<34}{e['practices']:>8}  {helped}")
    return lines


def practices_markdown(home: Path, since: date | None = None) -> str:
    """The practices as a Markdown section, oldest first (for `export`); "" when none."""
    rows = list(reversed(practice_rows(home, since)))
    if not rows:
        return ""
    lines = ["## Skills practised", "", "| Date | Skill | Minutes | Status | Helped (0-10) |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r['date']} | {_cell(r['name'])} | {format_number(r['minutes'])} | "
              f"{_status(r, rating=False)} | "
              f"{'-' if r['helped'] is None else format_number(r['helped'])} |" for r in rows]
    return "\n".join(lines) + "\n"


def practices_text(home: Path, since: date | None = None) -> str:
    """The practices as a plain-text section, oldest first (for `export --format text`); ""
    when none."""
    rows = list(reversed(practice_rows(home, since)))
    if not rows:
        return ""
    lines = ["Skills practised", ""]
    lines += [f"{r['date']}  {r['name']}, {format_number(r['minutes'])} min, "
              f"{_status(r)}" for r in rows]
    return "\n".join(lines) + "\n"


def practices_csv(home: Path, since: date | None = None,
                  safe: Any = lambda value: "" if value is None else str(value)) -> str:
    """One row per practice, oldest first (for `export --practices --format csv`); `safe`
    makes each cell safe for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in reversed(practice_rows(home, since)):
        writer.writerow({k: safe(_csv_value(row[k])) for k in CSV_FIELDS})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format_number(value) if isinstance(value, int | float) else value


def _status(row: dict[str, Any], rating: bool = True) -> str:
    status = (row["status"] or "?").replace("_", " ")
    if rating and row["helped"] is not None:
        status += f", helped {format_number(row['helped'])}/10"
    return status


def _minutes(value: float) -> str:
    return "<1 min" if value < 1 else f"{format_number(round(value))} min"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "/")

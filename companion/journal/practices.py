"""Guided-skill practices: one file each under <home>/practices/, and what history, progress
and export show of them."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from companion.data.names import format_number
from companion.errors import RecordError, StorageError
from companion.journal.atomic import ensure_private_dir, replace_file

log = logging.getLogger(__name__)
FOLDER = "practices"
SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")
STATUSES = ("not_started", "in_progress", "completed", "stopped")
"""not_started: a skill was offered or asked for but none was begun (kept only when the safety
response was given meanwhile, so that is never lost)."""
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""Version n -> the function that turns a version-n practice into a version n+1 one."""


def new_practice(started: datetime, *, mode: str, offered_by: str) -> dict[str, Any]:
    """An empty practice record; the skill is filled in once it is chosen.

    `offered_by` says where it began: command (`companion skill`), prepare or safety."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}",
        "skill": None, "name": None, "kind": None,
        "started_at": started.isoformat(timespec="seconds"), "finished_at": None,
        "minutes_asked": None, "seconds": 0.0, "status": "not_started", "stopped_by": None,
        "helped": None, "answers": {}, "readback": [], "mode": mode, "offered_by": offered_by,
        "events": [], "safety": {"crisis": False, "notice_shown": False, "triggers": []},
    }


class PracticeStore:
    """Reads and writes <home>/practices/<id>.json (atomic, owner-only): one file per practice,
    so two windows never overwrite each other's."""

    def __init__(self, home: Path) -> None:
        self.folder = home / FOLDER

    def path(self, practice_id: str) -> Path:
        return self.folder / f"{practice_id}.json"

    def save(self, record: dict[str, Any]) -> Path:
        """Write the practice now (a new file or a replacement of its own)."""
        if not ID_PATTERN.match(str(record.get("id"))):
            raise RecordError(f"A practice needs an id like 20261126-200000-ab12, not "
                              f"{record.get('id')!r}.")
        ensure_private_dir(self.folder)
        path = self.path(record["id"])
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        replace_file(path, text.encode("utf-8"))
        return path

    def load(self, practice_id: str) -> dict[str, Any]:
        """One practice, upgraded; RecordError when missing, damaged or too new."""
        path = self.path(practice_id)
        try:
            record = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise RecordError(f"No practice '{practice_id}'.") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise RecordError(f"Practice file {path} cannot be read ({exc}) and was skipped.") \
                from None
        if not isinstance(record, dict) or not isinstance(record.get("started_at"), str):
            raise RecordError(f"Practice file {path} is damaged and was skipped.")
        return upgrade(record, f"Practice file {path}")

    def records(self) -> list[dict[str, Any]]:
        """Every readable practice, newest first; unreadable ones are logged and skipped."""
        try:
            names = sorted(p.name[:-5] for p in self.folder.iterdir() if p.name.endswith(".json"))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"Cannot read the practices folder {self.folder}: "
                               f"{exc.strerror or exc}. Check its permissions.") from exc
        found = []
        for name in names:
            if not ID_PATTERN.match(name):
                continue
            try:
                found.append(self.load(name))
            except RecordError as exc:
                log.warning("%s", exc)
        return sorted(found, key=lambda r: (r["started_at"], r.get("id", "")), reverse=True)


def upgrade(record: dict[str, Any], where: str) -> dict[str, Any]:
    """Bring a practice up to SCHEMA_VERSION one small step at a time (in memory only)."""
    version = record.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise RecordError(f"{where} was saved by a newer version of companion (version "
                          f"{version!r}); update companion to read it. It was left as it is.")
    while version < SCHEMA_VERSION:
        if version not in UPGRADES:
            raise RecordError(f"{where} has version {version}, which cannot be upgraded.")
        record = UPGRADES[version](record)
        version += 1
        record["schema_version"] = version
    return record


def practice_rows(home: Path, since: date | None = None) -> list[dict[str, Any]]:
    """One JSON-ready row per practice of a skill (newest first), from the day `since` on.

    For `history --json`, `export` (csv) and `progress`; practices never begun are left out."""
    rows = []
    for record in PracticeStore(home).records():
        when = _started(record)
        if not record.get("skill") or (since and (when is None or when.date() < since)):
            continue
        helped = record.get("helped")
        rows.append({
            "id": record.get("id"), "started_at": record["started_at"],
            "date": when.strftime("%Y-%m-%d %H:%M") if when else "?",
            "skill": record["skill"], "name": record.get("name") or record["skill"],
            "kind": record.get("kind"), "minutes": round(float(record.get("seconds") or 0) / 60, 1),
            "status": record.get("status"), "stopped_by": record.get("stopped_by"),
            "helped": helped if isinstance(helped, int | float) else None,
            "offered_by": record.get("offered_by"),
        })
    return rows


def practice_lines(home: Path, since: date | None = None, limit: int | None = None) -> list[str]:
    """The practices as terminal lines under a heading (for `history`); [] when there are none."""
    rows = practice_rows(home, since)[:limit]
    if not rows:
        return []
    return ["Skills practised:", *(f"  {r['date']:<16}  {_clip(r['name'], 32):<32}  "
                                   f"{_minutes(r['minutes']):>8}  {_status(r)}" for r in rows)]


def practice_summary(home: Path, since: date | None = None) -> list[dict[str, Any]]:
    """Per skill: practices, completed, minutes in all and the average "helped" rating (0-10),
    most practised first (for `progress --json`)."""
    skills: dict[str, dict[str, Any]] = {}
    for row in practice_rows(home, since):
        entry = skills.setdefault(row["skill"], {"skill": row["skill"], "name": row["name"],
                                                 "practices": 0, "completed": 0,
                                                 "minutes": 0.0, "ratings": []})
        entry["practices"] += 1
        entry["completed"] += row["status"] == "completed"
        entry["minutes"] = round(entry["minutes"] + row["minutes"], 1)
        if row["helped"] is not None:
            entry["ratings"].append(row["helped"])
    out = []
    for entry in skills.values():
        ratings = entry.pop("ratings")
        entry["ratings"] = len(ratings)
        entry["average_help"] = round(sum(ratings) / len(ratings), 1) if ratings else None
        out.append(entry)
    return sorted(out, key=lambda e: (-e["practices"], e["name"]))


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


def _started(record: dict[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(record.get("started_at") or "")
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.astimezone()


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

"""Guided-skill practices: one file each under <home>/practices/ (saved, found, deleted), and
the rows and per-skill summary that history, progress, export and reflect read."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from companion.errors import RecordError, SessionBusy, StorageError
from companion.journal import lock
from companion.journal.atomic import ensure_private_dir, remove_file, replace_file

log = logging.getLogger(__name__)
FOLDER = "practices"
SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LAST = "last"
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
        "tones": False,
        "events": [], "safety": {"crisis": False, "notice_shown": False, "triggers": []},
    }


class PracticeStore:
    """Reads and writes <home>/practices/<id>.json (atomic, owner-only): one file per practice,
    so two windows never overwrite each other's."""

    def __init__(self, home: Path) -> None:
        self.folder = home / FOLDER

    def path(self, practice_id: str) -> Path:
        return self.folder / f"{practice_id}.json"

    def lock_path(self, practice_id: str) -> Path:
        return self.folder / f".{practice_id}.lock"

    @contextlib.contextmanager
    def hold(self, practice_id: str) -> Iterator[None]:
        """Keep the practice to this process while it is guided; SessionBusy when another
        window has it (the OS releases the lock if companion dies)."""
        ensure_private_dir(self.folder)
        try:
            with lock.hold(self.lock_path(practice_id)):
                yield
        except lock.Held:
            raise SessionBusy(f"Practice {practice_id} is being guided in another companion "
                              "window right now. Finish or stop it there, then try again.") \
                from None

    def forget(self, practice_id: str) -> bool:
        """Delete one practice's file (False when it was gone already); SessionBusy, deleting
        nothing, while another window is guiding it."""
        with self.hold(practice_id):
            return remove_file(self.path(practice_id))

    def resolve(self, ref: str) -> list[str]:
        """The practice ids `ref` names: an id or a unique prefix of one, `last` (the newest),
        or a day (YYYY-MM-DD: every practice begun that day). RecordError when none match."""
        ref = ref.strip().lower()
        records = self.records()
        if ref == LAST:
            if not records:
                raise RecordError("There are no saved practices.")
            return [records[0]["id"]]
        if DAY_PATTERN.match(ref):
            ids = [r["id"] for r in records if (r.get("started_at") or "")[:10] == ref]
        else:
            ids = [r["id"] for r in records if ref and r["id"].startswith(ref)]
            if len(ids) > 1:
                raise RecordError(f"'{ref}' matches {len(ids)} practices: "
                                  f"{', '.join(ids[:12])}. Type more of the id, or give a day "
                                  "(YYYY-MM-DD) to mean all of that day's.")
        if not ids:
            raise RecordError(f"No practice matches '{ref}'. `companion history` lists them "
                              "with their days; `companion history --json` with their ids.")
        return ids

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

    For `history --json`, `export`, `progress` and `reflect`; practices never begun are left
    out. `stopped`: ended before its end (by the client, Ctrl-C, input ending or the safety
    response); `helped` is the 0-10 answer to "how much did that help?" (None if not given)."""
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
            "status": record.get("status"), "stopped": record.get("status") == "stopped",
            "stopped_by": record.get("stopped_by"),
            "helped": helped if isinstance(helped, int | float) else None,
            "offered_by": record.get("offered_by"),
        })
    return rows


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


def _started(record: dict[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(record.get("started_at") or "")
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.astimezone()

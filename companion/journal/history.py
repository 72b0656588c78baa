"""Reading the session journal: list, load, upgrade, resolve ids, forget, add reflections."""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from companion.errors import RecordError, StorageError
from companion.journal.atomic import remove_file
from companion.journal.store import SCHEMA_VERSION, SessionStore

log = logging.getLogger(__name__)
ID_PATTERN = re.compile(r"^[0-9a-f]{4,32}$")
"""Session ids as the store makes them (hex); anything else in the folder is not ours."""
LAST = "last"


def upgrade_0_to_1(record: dict[str, Any]) -> dict[str, Any]:
    """Records written before `schema_version` existed: fill in the fields added since."""
    record.setdefault("finished_at", None)
    complete = bool(record.get("complete"))
    record["complete"] = complete
    record.setdefault("status", "complete" if complete else "interrupted")
    record.setdefault("mode", "typed")
    record.setdefault("worksheet", {"name": "coaching-call", "title": "", "source": ""})
    record.setdefault("prompts", [{"id": k, "kind": (v or {}).get("kind", "free"),
                                   "text": (v or {}).get("prompt", k)}
                                  for k, v in record.get("answers", {}).items()])
    record.setdefault("events", [])
    record.setdefault("safety", {"crisis": False, "notice_shown": False, "triggers": []})
    record.setdefault("summary", None)
    record.setdefault("suggested_skills", [])
    record.setdefault("files", {})
    record.setdefault("updated_at", record.get("started_at"))
    return record


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: upgrade_0_to_1}
"""Version n -> the function that turns a version-n record into a version n+1 record."""


def upgrade(record: dict[str, Any], where: str = "record") -> dict[str, Any]:
    """Bring a record up to SCHEMA_VERSION, one small step at a time (in memory only)."""
    version = record.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise RecordError(f"{where} has an unreadable schema_version ({version!r}); "
                          "it was left as it is.")
    if version > SCHEMA_VERSION:
        raise RecordError(
            f"{where} was saved by a newer version of companion (record version {version}; "
            f"this one reads up to {SCHEMA_VERSION}). Update companion to open it; "
            "the file was left as it is.")
    while version < SCHEMA_VERSION:
        try:
            record = UPGRADES[version](record)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise RecordError(f"{where} is damaged (upgrading from version {version} failed: "
                              f"{exc}) and was skipped.") from None
        version += 1
        record["schema_version"] = version
    return record


def check_shape(record: Any, where: str) -> dict[str, Any]:
    """The fields every command relies on have the right types; RecordError otherwise."""
    if not isinstance(record, dict):
        raise RecordError(f"{where} is damaged (not a session record) and was skipped.")
    expected = {"id": str, "answers": dict, "prompts": list, "started_at": str}
    for key, kind in expected.items():
        if not isinstance(record.get(key), kind):
            raise RecordError(f"{where} is damaged (field '{key}' is missing or wrong) "
                              "and was skipped.")
    if not all(isinstance(a, dict) for a in record["answers"].values()):
        raise RecordError(f"{where} is damaged (an answer is not a table) and was skipped.")
    return record


def started(record: dict[str, Any]) -> datetime | None:
    """When the session began (aware datetime), or None if the stamp is unreadable."""
    try:
        stamp = datetime.fromisoformat(record.get("started_at") or "")
    except (TypeError, ValueError):
        return None
    return stamp if stamp.tzinfo else stamp.astimezone()


class Journal:
    """The saved sessions under `<home>/sessions/`, read-only except forget and reflections."""

    def __init__(self, home: Path, store: SessionStore | None = None) -> None:
        self.store = store or SessionStore(home)
        self.home = home
        self.folder = self.store.sessions_dir

    def ids(self) -> list[str]:
        """Ids of every `<id>.json` in the folder (stray files and temp files are ignored)."""
        try:
            names = [p.name for p in self.folder.iterdir()]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"Cannot read the journal folder {self.folder}: "
                               f"{exc.strerror or exc}. Check its permissions.") from exc
        return sorted(n[:-5] for n in names if n.endswith(".json") and ID_PATTERN.match(n[:-5]))

    def load(self, session_id: str) -> dict[str, Any]:
        """One record, upgraded; RecordError if missing, empty, damaged or too new."""
        path = self.store.json_path(session_id)
        where = f"Session file {path}"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RecordError(f"No session '{session_id}'. See `companion history` for ids.") \
                from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RecordError(f"{where} cannot be read ({exc}) and was skipped.") from None
        if not text.strip():
            raise RecordError(f"{where} is empty (the session never got its first save).")
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise RecordError(f"{where} is damaged or half-written ({exc}) and was skipped.") \
                from None
        if isinstance(record, dict):
            record.setdefault("id", session_id)
            record = upgrade(record, where)
        return check_shape(record, where)

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, newest first; unreadable ones are logged and skipped."""
        found = []
        for session_id in self.ids():
            try:
                found.append(self.load(session_id))
            except RecordError as exc:
                log.warning("%s", exc)
        return sorted(found, key=_sort_key, reverse=True)

    def resolve(self, ref: str) -> str:
        """The full id for `ref`: a unique prefix of an id, or `last` (the newest session)."""
        ref = ref.strip().lower()
        if ref == LAST:
            newest = self.records()
            if not newest:
                raise RecordError("There are no saved sessions yet. Start one with "
                                  "`companion prepare`.")
            return newest[0]["id"]
        if not ref:
            raise RecordError("Give a session id (or `last`). See `companion history`.")
        matches = [i for i in self.ids() if i.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise RecordError(f"No session matches '{ref}'. See `companion history` for ids.")
        listing = ", ".join(self._describe(i) for i in matches[:12])
        more = f" and {len(matches) - 12} more" if len(matches) > 12 else ""
        raise RecordError(f"'{ref}' matches {len(matches)} sessions: {listing}{more}. "
                          "Type more of the id.")

    def get(self, ref: str) -> dict[str, Any]:
        """The record `ref` (prefix or `last`) names."""
        return self.load(self.resolve(ref))

    def forget(self, session_id: str) -> list[Path]:
        """Delete a session's files (its record, transcript and anything it lists in our folder).

        Raises SessionBusy, deleting nothing, while another companion has the session open.
        """
        with self.store.hold(session_id):
            return self._forget(session_id)

    def _forget(self, session_id: str) -> list[Path]:
        paths = {self.store.json_path(session_id), self.store.markdown_path(session_id)}
        try:
            listed = self.load(session_id).get("files") or {}
        except RecordError:
            listed = {}
        home = self.home.resolve()
        for value in listed.values() if isinstance(listed, dict) else ():
            path = Path(str(value))
            if path.resolve().is_relative_to(home) and path.resolve() != home:
                paths.add(path)
        removed = []
        for path in sorted(paths):
            if _remove(path):
                removed.append(path)
        return removed

    def save_reflection(self, record: dict[str, Any], reflection: dict[str, Any],
                        now: datetime) -> dict[str, Any]:
        """Store `reflection` with the session (earlier finished ones are kept), atomically;
        the saved transcript shows it too."""
        old = record.get("reflection")
        if isinstance(old, dict) and old.get("complete") and old is not reflection:
            record.setdefault("earlier_reflections", []).append(old)
        record["reflection"] = reflection
        record["updated_at"] = now.isoformat(timespec="seconds")
        self.store.save(record)
        return record

    def _describe(self, session_id: str) -> str:
        try:
            record = self.load(session_id)
        except RecordError:
            return f"{session_id} (unreadable)"
        return f"{session_id} ({(record.get('started_at') or '?')[:16].replace('T', ' ')})"


def _sort_key(record: dict[str, Any]) -> tuple[float, str]:
    when = started(record)
    return (when.timestamp() if when else 0.0, record["id"])


def _remove(path: Path) -> bool:
    if not path.is_dir() or path.is_symlink():
        return remove_file(path)
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"Cannot delete {path}: {exc.strerror or exc}. Check the "
                           "permissions of the data folder.") from exc
    return True

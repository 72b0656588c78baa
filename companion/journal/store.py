"""The session journal on disk: one JSON record and one Markdown transcript per session."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from companion.errors import SessionBusy, StorageError
from companion.journal import atomic, lock
from companion.journal.render import render_markdown

SCHEMA_VERSION = 1
ID_BYTES = 3  # six hex digits; collisions are checked when a session is created


class SessionStore:
    """Saves session records under `<home>/sessions/` (folders 0700, files 0600)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.sessions_dir = home / "sessions"

    def json_path(self, session_id: str) -> Path:
        return self.sessions_dir / f"{session_id}.json"

    def markdown_path(self, session_id: str) -> Path:
        return self.sessions_dir / f"{session_id}.md"

    def lock_path(self, session_id: str) -> Path:
        return self.sessions_dir / f".{session_id}.lock"

    @contextlib.contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        """Keep the session to this process for the block (answering, resuming, reflecting).

        Raises SessionBusy when another companion has it open, so two windows never write
        the same record over each other. A crashed process releases it automatically.
        """
        try:
            with lock.hold(self.lock_path(session_id)):
                yield
        except lock.Held:
            raise SessionBusy(busy_message(session_id)) from None

    def new_id(self) -> str:
        """A fresh short id, reserved on disk so two sessions started at once never collide."""
        atomic.ensure_private_dir(self.home)
        atomic.ensure_private_dir(self.sessions_dir)
        for _ in range(100):
            session_id = secrets.token_hex(ID_BYTES)
            try:
                fd = os.open(self.json_path(session_id), os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                             atomic.FILE_MODE)
            except FileExistsError:
                continue
            except OSError as exc:
                raise StorageError(
                    f"Cannot create a session in {self.sessions_dir}: {exc.strerror or exc}. "
                    "Set COMPANION_HOME to a folder you can write."
                ) from exc
            os.close(fd)
            return session_id
        raise StorageError(f"Could not find a free session id in {self.sessions_dir}.")

    def save(self, record: dict[str, Any]) -> dict[str, str]:
        """Atomically write the record and its transcript; returns the paths written."""
        session_id = record["id"]
        files = {
            "json": str(self.json_path(session_id)),
            "markdown": str(self.markdown_path(session_id)),
        }
        record["files"] = files
        atomic.write_json(self.json_path(session_id), record)
        atomic.write_text(self.markdown_path(session_id), render_markdown(record))
        return files


def busy_message(session_id: str) -> str:
    return (f"Session {session_id} is open in another companion window right now. Finish or "
            f"stop it there (Ctrl-C keeps every answer), then try again here.")

"""The user's settings in <home>/config.json (validated, atomic, owner-only)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.errors import RecordError, UsageError
from companion.journal import atomic

log = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
SCHEMA_VERSION = 1
KEYS = {"region": "country for crisis numbers: a region code (see list-regions) or 'other'"}


class Config:
    """Reads and writes config.json; every value is checked before it is stored."""

    def __init__(self, home: Path, check: Callable[[str, str], str] | None = None) -> None:
        """`check(key, value)` returns the value to store or raises UsageError; a Config
        without one can only read."""
        self.home, self.check = home, check
        self.path = home / CONFIG_NAME

    def read(self) -> dict[str, Any]:
        """All stored values; an unreadable file counts as empty (logged), never fatal."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            log.warning("ignoring %s: not a JSON object", self.path)
            return {}
        if data.get("schema_version", 1) > SCHEMA_VERSION:
            raise RecordError(f"{self.path} was written by a newer companion. Update companion, "
                              f"or delete the file to start over.")
        return {k: v for k, v in data.items() if k in KEYS}

    def get(self, key: str) -> Any:
        """A stored value, or None when it was never set."""
        _check_key(key)
        return self.read().get(key)

    def set(self, key: str, value: str) -> str:
        """Validate and store a value; returns what was stored (e.g. 'gb' -> 'UK')."""
        _check_key(key)
        if self.check is None:
            raise UsageError("settings cannot be changed here (no validation given).")
        stored = self.check(key, value)
        data = self.read()
        self._keep_unreadable()
        data[key] = stored
        atomic.write_json(self.path, {"schema_version": SCHEMA_VERSION, **data})
        return stored

    def _keep_unreadable(self) -> None:
        # A hand-edited file that no longer parses is set aside, not silently overwritten.
        try:
            json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            try:
                os.replace(self.path, self.path.with_name(CONFIG_NAME + ".unreadable"))
            except OSError:
                pass


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise UsageError(f"Unknown setting '{key}'. Settings: {', '.join(sorted(KEYS))}.")

"""The user's settings in <home>/config.json (validated, atomic, owner-only)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from companion.errors import RecordError, UsageError
from companion.interfaces import Prompt
from companion.journal import atomic
from companion.safety import crisis_lines

log = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
SCHEMA_VERSION = 1
KEYS = {"region": "country for crisis numbers: a region code (see list-regions) or 'other'"}
REGION_PROMPT = Prompt(
    id="_region", kind="free",
    text="Which country are you in? I ask once, so I can give you the right crisis numbers.",
    hint="For example: United States, Canada, UK, Ireland, Australia or New Zealand.")


class Config:
    """Reads and writes config.json; every value is checked before it is stored."""

    def __init__(self, home: Path) -> None:
        self.home = home
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
        stored = validate(key, value)
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


def validate(key: str, value: str) -> str:
    """The value to store for `key`; UsageError says what is allowed."""
    if key == "region":
        code = crisis_lines.normalize_region(value.strip())
        if code is None:
            codes = ", ".join(crisis_lines.known_regions())
            raise UsageError(f"Unknown region '{value}'. Use one of {codes}, or 'other' for "
                             "general advice. See: companion config list-regions")
        return code
    raise UsageError(f"Unknown setting '{key}'.")


def _check_key(key: str) -> None:
    if key not in KEYS:
        raise UsageError(f"Unknown setting '{key}'. Settings: {', '.join(sorted(KEYS))}.")


def ask_region_once(config: Config, prompter: Any, source: Any) -> str | None:
    """Ask for the country on first run and store it ('other' if not recognised).

    Returns the region now in effect, or None when input ended before any answer.
    Never asks again once a region (even 'other') is stored.
    """
    current = config.get("region")
    if current:
        return str(current)
    prompter.say(REGION_PROMPT.text, "prompt")
    for attempt in range(2):
        heard = source.listen(REGION_PROMPT)
        if heard is None:
            return None
        text = " ".join(heard.text.split())
        if text or attempt:
            break
        prompter.say(REGION_PROMPT.hint, "hint")
    region = crisis_lines.find_region(text) or crisis_lines.normalize_region(text)
    region = region or crisis_lines.OTHER
    config.set("region", region)
    prompter.say(_confirmation(region), "info")
    return region


def _confirmation(region: str) -> str:
    if region == crisis_lines.OTHER:
        return ("I don't have numbers for that country yet, so in a crisis I'll tell you to call "
                "your local emergency number. You can change this later with: "
                "companion config set region.")
    lines = crisis_lines.load(region)
    return f"Thank you. I'll use crisis numbers for {lines.name}."

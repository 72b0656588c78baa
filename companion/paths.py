"""Where companion keeps its data: COMPANION_HOME, else the platform's per-user data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_home(environ: dict[str, str] | os._Environ[str], platform: str = sys.platform) -> Path:
    """The per-user data folder, honouring COMPANION_HOME (the CLI passes os.environ in)."""
    override = environ.get("COMPANION_HOME")
    if override:
        return Path(override).expanduser()
    home = Path(environ.get("HOME") or Path.home())
    if platform == "darwin":
        return home / "Library" / "Application Support" / "companion"
    if platform.startswith("win"):
        base = environ.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Roaming") / "companion"
    xdg = environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "companion"

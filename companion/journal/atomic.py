"""Owner-only folders and atomic file writes (temp file, fsync, os.replace)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from companion.errors import StorageError

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable only by the owner."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise StorageError(
            f"Cannot use the data folder {path}: {exc.strerror or exc}. "
            "Check its permissions, or set COMPANION_HOME to a folder you can write."
        ) from exc
    return path


def write_text(path: Path, text: str) -> None:
    """Atomically replace `path` with `text` (UTF-8, mode 0600) in a private folder."""
    ensure_private_dir(path.parent)
    replace_file(path, text.encode("utf-8"))


def replace_file(path: Path, data: bytes,
                 advice: str = "Free some disk space or set COMPANION_HOME to a writable folder.",
                 ) -> None:
    """Atomically replace `path` with `data` (mode 0600); the folder itself is left as it is."""
    folder = path.parent if str(path.parent) else Path(".")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(folder)
    except OSError as exc:
        raise StorageError(f"Cannot save {path}: {exc.strerror or exc}. {advice}") from exc
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def remove_file(path: Path) -> bool:
    """Delete `path` durably (the folder's entry too); False when it was already gone."""
    try:
        path.unlink()
        _fsync_dir(path.parent)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageError(f"Cannot delete {path}: {exc.strerror or exc}. Check the "
                           "permissions of the data folder.") from exc
    return True


def write_json(path: Path, data: Any) -> None:
    """Atomically replace `path` with `data` as pretty JSON."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (or needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

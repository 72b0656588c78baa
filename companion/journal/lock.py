"""One process at a time per session: an advisory lock file the OS releases if we die.

`hold(path)` takes an exclusive, non-blocking `flock` on `path` (created 0600) for the length of
a `with` block. Because the kernel drops the lock when the process ends, a crash or kill -9 never
leaves a session locked. Where `fcntl` does not exist (Windows) the lock is skipped.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from companion.errors import StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

FILE_MODE = 0o600
_HELD: dict[str, int] = {}
"""Locks this process holds (path -> depth): holding one again inside its block is allowed."""


class Held(Exception):
    """Another process holds the lock."""


@contextlib.contextmanager
def hold(path: Path) -> Iterator[None]:
    """Hold `path`'s lock for the block; raises Held if another process has it."""
    key = os.path.abspath(path)
    if fcntl is None or key in _HELD:  # Windows, or already ours
        _HELD[key] = _HELD.get(key, 0) + 1
        try:
            yield
        finally:
            _HELD[key] -= 1
            if not _HELD[key]:
                del _HELD[key]
        return
    fd = _acquire(path)
    if fd is None:  # read-only folder (nobody can change the session) or no locking: go on
        yield
        return
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        with contextlib.suppress(OSError):
            path.unlink()  # unlink while still holding it, so a waiter re-checks (see _acquire)
        os.close(fd)


def is_held(path: Path) -> bool:
    """True when another process holds `path`'s lock right now."""
    if os.path.abspath(path) in _HELD:
        return False
    try:
        with hold(path):
            return False
    except Held:
        return True


def _acquire(path: Path) -> int | None:
    """The locked file's descriptor; None when the folder is read-only (the caller's own
    writes then fail with their own message) or its file system cannot lock."""
    for _ in range(10):
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
        except (PermissionError, FileNotFoundError):
            return None
        except OSError as exc:
            if exc.errno == errno.EROFS:
                return None
            raise StorageError(f"Cannot write {path}: {exc.strerror or exc}. Set "
                               "COMPANION_HOME to a folder you can write.") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Held(str(path)) from None
        except OSError:  # a file system without locks (some network mounts): go on without
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder let go and removed the file between our open and flock
    raise StorageError(f"Cannot lock {path}: it keeps changing. Is another companion running?")

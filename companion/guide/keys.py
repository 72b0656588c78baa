"""Keys that steer a timed skill in a terminal: space pauses and goes on, q stops."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import IO, Any

from companion.guide.ports import Controls, NoControls

log = logging.getLogger(__name__)
KEYS = {b" ": "toggle", b"q": "stop", b"Q": "stop", b"n": "next", b"r": "again",
        b"s": "slower"}
"""Single keys: space pauses and goes on (the player knows which), q stops."""


class KeyControls:
    """Controls from single key presses, read without Enter and without blocking."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def poll(self) -> str | None:
        import select

        while select.select([self.fd], [], [], 0)[0]:
            key = os.read(self.fd, 1)
            if not key:
                return None
            if key in KEYS:
                return KEYS[key]
        return None


@contextlib.contextmanager
def terminal_keys(stdin: IO[Any]) -> Iterator[Controls]:
    """KeyControls while the block runs, when `stdin` is a terminal (in cbreak mode: keys
    arrive at once, Ctrl-C still works; the old mode is restored on the way out, whatever
    happens); NoControls otherwise (a pipe, a test, or no termios on this system)."""
    try:
        import termios
        import tty

        fd = stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (ImportError, AttributeError, OSError, ValueError) as exc:
        log.debug("no key controls: %s", exc)
        saved = None
    if saved is None:
        yield NoControls()
        return
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        yield KeyControls(fd)
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)  # keys pressed during the guide are not answers
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)

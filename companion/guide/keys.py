"""Keys that steer a timed skill in a terminal: space pauses and goes on, q stops."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import IO, Any

from companion.guide.player import Controls, NoControls

log = logging.getLogger(__name__)
KEYS = {b"q": "stop", b"Q": "stop", b"n": "next", b"r": "again", b"s": "slower"}
"""Single keys besides space (pause / go on)."""


class KeyControls:
    """Controls from single key presses, read without Enter and without blocking."""

    def __init__(self, fd: int, show: Callable[[str], None] = lambda text: None,
                 paused_note: str = "") -> None:
        self.fd, self.show, self.paused_note = fd, show, paused_note
        self.paused = False

    def poll(self) -> str | None:
        import select

        while select.select([self.fd], [], [], 0)[0]:
            key = os.read(self.fd, 1)
            if not key:
                return None
            if key == b" ":
                self.paused = not self.paused
                if self.paused and self.paused_note:
                    self.show(self.paused_note)
                return "pause" if self.paused else "resume"
            if key in KEYS:
                return KEYS[key]
        return None


@contextlib.contextmanager
def terminal_keys(stdin: IO[Any], show: Callable[[str], None] = lambda text: None,
                  paused_note: str = "") -> Iterator[Controls]:
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
        yield KeyControls(fd, show, paused_note)
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)  # keys pressed during the guide are not answers
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)

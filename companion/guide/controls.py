"""Hands-free control between a timed skill's steps: the words for each command (the [controls]
table of the skills file), found in what the client said whatever fillers surround them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from companion.guide.model import GuideError, normalise

log = logging.getLogger(__name__)
COMMANDS = ("stop", "pause", "resume", "slower", "again", "next")
"""The commands a client can say between steps (the player's commands, less the keys' toggle)."""
SAYINGS = ("listening", "paused", "resumed", "slower", "slowest")
"""What the guide says back ([controls.say]): how to steer, and each command's acknowledgement."""
BETWEEN_STEPS = "_between_steps"
"""The prompt id under which words heard between steps are noted and triaged."""


@dataclass(frozen=True)
class ControlWords:
    """Phrases per command, the filler words allowed around them, and the replies."""

    phrases: Mapping[str, tuple[str, ...]]
    """Command -> its phrases, normalised ("say that again")."""
    fillers: frozenset[str]
    say: Mapping[str, str]

    def command_in(self, text: str) -> str | None:
        """The command `text` says, when everything else in it is filler ("um can you go
        slower please" -> slower); None for anything else ("i don't want to stop" has words
        that are neither). Stop wins over any other command said with it."""
        words = normalise(text).split()
        table = sorted(((p.split(), c) for c, ps in self.phrases.items() for p in ps),
                       key=lambda pair: -len(pair[0]))
        found: set[str] = set()
        i = 0
        while i < len(words):
            match = next(((toks, c) for toks, c in table if words[i:i + len(toks)] == toks), None)
            if match is not None:
                found.add(match[1])
                i += len(match[0])
            elif words[i] in self.fillers:
                i += 1
            else:
                return None
        if "stop" in found:
            return "stop"
        return found.pop() if len(found) == 1 else None


def parse_controls(raw: Any, where: str) -> ControlWords:
    """The [controls] table, checked: every command with phrases, fillers, and every saying."""
    here = f"{where}: [controls]"
    if not isinstance(raw, dict):
        raise GuideError(f"{here}: must be a table.")
    unknown = sorted(set(raw) - {*COMMANDS, "fillers", "say"})
    if unknown:
        raise GuideError(f"{here}: unknown key '{unknown[0]}' (allowed: "
                         f"{', '.join([*COMMANDS, 'fillers', 'say'])}).")
    fillers = frozenset(normalise(w) for w in _words(raw, "fillers", here))
    phrases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for command in COMMANDS:
        said = tuple(dict.fromkeys(normalise(p) for p in _words(raw, command, here)))
        for phrase in said:
            if owner.setdefault(phrase, command) != command:
                raise GuideError(f"{here}: '{phrase}' is a phrase of both {owner[phrase]} and "
                                 f"{command}.")
            if all(w in fillers for w in phrase.split()):
                raise GuideError(f"{here}: {command} phrase '{phrase}' is made only of fillers.")
        phrases[command] = said
    say = raw.get("say")
    if not isinstance(say, dict) or set(say) != set(SAYINGS) or not all(
            isinstance(v, str) and v.strip() for v in say.values()):
        raise GuideError(f"{here}: [controls.say] needs exactly {', '.join(SAYINGS)} "
                         "(each a non-empty line).")
    return ControlWords(phrases, fillers, {k: v.strip() for k, v in say.items()})


def _words(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(
            isinstance(v, str) and normalise(v) for v in value):
        raise GuideError(f"{where}: {key} must be a non-empty list of words or phrases.")
    return value


class Ears(Protocol):
    """Listening in the silence between two spoken lines (never while one is spoken)."""

    def hear(self, seconds: float) -> str | None:
        """What the client said, waiting at most `seconds` for them to begin; once they have,
        until they have finished, however long that takes. None when nothing was said."""


class VoiceControls:
    """A player Listener over Ears: the command said between steps; any other words go to
    `concern` (safety triage), which may answer with a command of its own ("stop")."""

    def __init__(self, ears: Ears, words: ControlWords, *,
                 concern: Callable[[str], str | None],
                 note: Callable[[dict[str, Any]], None] = lambda event: None) -> None:
        self.ears, self.words, self.concern, self.note = ears, words, concern, note

    def listen(self, seconds: float) -> str | None:
        text = self.ears.hear(seconds)
        if not text or not text.strip():
            return None
        command = self.words.command_in(text)
        if command is None:
            return self.concern(text)
        log.debug("heard %r between steps: %s", text, command)
        self.note({"type": "command", "prompt": BETWEEN_STEPS, "command": command,
                   "text": text})
        return command

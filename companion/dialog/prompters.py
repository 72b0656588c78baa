"""A prompter that shows every message and speaks it too; safety numbers are read digit by digit."""

from __future__ import annotations

import logging
import re
from typing import Any

from companion.data import load_data
from companion.errors import SpeechUnavailable

log = logging.getLogger(__name__)

_DIGIT_RUN = re.compile(r"\d+(?:[ -]\d+)*")


def spell_numbers(text: str) -> str:
    """Phone numbers read digit by digit for speech: '116 123' -> '1 1 6, 1 2 3'.

    For speech of safety messages: text-to-speech would otherwise say
    'one hundred and sixteen'. Runs of fewer than three digits are left alone.
    """

    def spell(match: re.Match[str]) -> str:
        groups = re.split(r"[ -]", match.group())
        if sum(len(g) for g in groups) < 3:
            return match.group()
        return ", ".join(" ".join(g) for g in groups)

    return _DIGIT_RUN.sub(spell, text)


class SpeakingPrompter:
    """Shows every message, then speaks it; after one failure, says so once and stays text-only."""

    def __init__(self, text: Any, speaker: Any) -> None:
        self.text, self.speaker = text, speaker
        self.failed: str | None = None

    def say(self, text: str, role: str = "info") -> None:
        """Roles as for every prompter; "screen" is shown only, "spoken" is said only."""
        if role != "spoken":
            self.text.say(text, role)
        if self.failed is not None or role == "screen":
            return
        try:
            # Phone numbers in safety messages are read digit by digit; the screen keeps them.
            self.speaker.say(spell_numbers(text) if role == "safety" else text)
        except SpeechUnavailable as exc:
            self.failed = str(exc)
            log.debug("speech off: %s", exc)
            message = load_data("voice.toml")["messages"]["speech_off"]
            self.text.say(message.format(reason=exc), "info")

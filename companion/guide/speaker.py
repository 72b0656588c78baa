"""The player's voice: each line shown and spoken through the prompter, at the voice's pace."""

from __future__ import annotations

from collections.abc import Callable

from companion.guide.player import SLICE, Clock, estimate_speech
from companion.interfaces import Prompter


class PrompterSpeaker:
    """A player Speaker that says each line through the prompter (screen, and voice unless
    --no-speak). When nothing is heard (--no-speak, or speech failed and the prompter went
    text-only) it waits the line's speaking time instead, so text keeps the voice's timings."""

    def __init__(self, prompter: Prompter, clock: Clock, *, voice_on: bool,
                 speaking: Callable[[str], float] = estimate_speech) -> None:
        self.prompter, self.clock, self.voice_on = prompter, clock, voice_on
        self.speaking = speaking

    def heard(self) -> bool:
        """Whether lines are being spoken aloud right now."""
        return self.voice_on and getattr(self.prompter, "failed", None) is None

    def say(self, text: str) -> None:
        began = self.clock.now()
        self.prompter.say(text, "info")
        if self.heard():
            return
        rest = self.speaking(text) - (self.clock.now() - began)
        while rest > 1e-9:  # short slices, like the player's own waits
            step = min(SLICE, rest)
            self.clock.sleep(step)
            rest -= step

"""Between the steps of a timed skill: what the client says there, wired to one practice —
commands acknowledged aloud, any other words triaged for safety like every reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from companion.dialog.engine import disclosed
from companion.guide.controls import BETWEEN_STEPS, ControlWords, Ears, VoiceControls
from companion.guide.ports import Speaker
from companion.interfaces import Prompt, Reply
from companion.safety.triage import Triage
from companion.understand import analysis


class BetweenSteps:
    """The listener (None without ears) and the notices for one playing of a timed skill."""

    def __init__(self, words: ControlWords, ears: Ears | None, *, speaker: Speaker,
                 show_note: Callable[[], None], triage: Callable[[], Triage],
                 ask: Callable[..., Reply], note: Callable[[dict[str, Any]], None]) -> None:
        """`show_note` shows the keys' note on pause (when there are keys); `triage` makes the
        practice's safety triage; `ask` asks through the practice's dialog; `note` keeps an
        event in the practice."""
        self.words, self.speaker, self.show_note = words, speaker, show_note
        self.triage, self.ask, self.note = triage, ask, note
        self.listener = None if ears is None else VoiceControls(ears, words,
                                                                concern=self.concern, note=note)
        self.safety_stop = False
        """The client chose to stop at a safety response given between steps."""

    def notice(self, event: str) -> None:
        """Acknowledge a control: said aloud when the client can steer by voice; on pause, the
        keys' note on screen too."""
        if self.listener is not None:
            self.speaker.say(self.words.say[event])
        if event == "paused":
            self.show_note()

    def concern(self, text: str) -> str | None:
        """Words that are not a command: triaged like every reply. The safety response runs in
        the gap (the guide is silent then); the step is said again after it, or the practice
        stops when the client chose to stop there."""
        result, _ = analysis.understand(text, "free")
        reply = Reply("answer", text, result, source="voice", disclosure=disclosed(text, result))
        self.note({"type": "reply", "prompt": BETWEEN_STEPS, "text": text})
        triage = self.triage()
        before = triage.responses
        if not triage.check(Prompt(id=BETWEEN_STEPS, kind="free", text=""), reply, self.ask):
            self.safety_stop = True
            return "stop"
        return "again" if triage.responses > before else None

"""Whether an answer needs the safety response, and giving it: crisis words, strong urges, and
risk words followed by a check-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from companion.interfaces import Prompt
from companion.safety.policy import SAFETY_URGES
from companion.safety.policy import load as load_policy
from companion.understand import analysis

SAFETY_LEVEL = load_policy().urge_level
"""Urge intensity (0-10) at or above which a safety urge brings the safety response."""
CHECK_IN = Prompt(id="_check_in", kind="yesno", text=load_policy().says("check_in"))


class Responder(Protocol):
    """The immediate response to crisis language or a strong self-harm/suicide urge."""

    def respond(self, trigger: dict[str, Any], prompter: Any, source: Any) -> bool:
        """Show the safety information; True when the client wants to continue the worksheet."""


class Triage:
    """Checks every answer of one session record; records each trigger there and saves it
    before and after the response, so a crash mid-response still shows it was needed."""

    def __init__(self, record: dict[str, Any], *, prompter: Any, source: Any,
                 responder: Responder, save: Callable[[], None], now: Callable[[], str],
                 clean: Callable[[str], str]) -> None:
        self.record, self.prompter, self.source = record, prompter, source
        self.responder, self.save, self.now, self.clean = responder, save, now, clean

    def check(self, prompt: Prompt, text: str, result: analysis.Analysis) -> bool:
        """Run the safety response when needed; False when the client chose to stop."""
        reason = None
        if result.crisis:
            reason = "crisis_language"
        elif (result.intensity or 0) >= SAFETY_LEVEL and self._safety_urges(prompt, result):
            reason = "urge_intensity"
        named_urge = bool(set(result.urges) & set(SAFETY_URGES))  # rated at the next prompt
        if reason is None and not named_urge and analysis.risk_words(text):
            reason = self._check_in(prompt)
        if reason is None:
            return True
        trigger = {"prompt": prompt.id, "text": text, "reason": reason, "at": self.now(),
                   "kinds": list(result.crisis_kinds), "intensity": result.intensity}
        safety = self.record["safety"]
        safety["crisis"] = safety["crisis"] or result.crisis
        safety["triggers"].append(trigger)
        self.save()
        carry_on = self.responder.respond(trigger, self.prompter, self.source)
        safety["notice_shown"] = True
        trigger["continued"] = carry_on
        self.save()
        return carry_on

    def _check_in(self, prompt: Prompt) -> str | None:
        """Risk words without recognised crisis language: ask once whether the client is safe.
        Anything but a clear yes gets the safety response."""
        self.prompter.say(CHECK_IN.text, "prompt")
        heard = self.source.listen(CHECK_IN)
        reply = self.clean(heard.text) if heard is not None else ""
        result = analysis.analyze(reply, "yesno")
        self.record["events"].append({"at": self.now(), "type": "check_in", "prompt": prompt.id,
                                      "reply": reply, "answer": result.answer})
        if result.crisis:
            return "crisis_language"
        return None if result.answer == "yes" else "not_safe"

    def _safety_urges(self, prompt: Prompt, result: analysis.Analysis) -> bool:
        urges = set(result.urges)
        if prompt.condition:
            urges |= set(self.record["answers"].get(prompt.condition, {}).get("urges", []))
        return bool(urges & set(SAFETY_URGES))

"""Whether a reply needs the safety response, and giving it: crisis words, strong safety urges,
and risk words followed by a check-in. Every reply of every question is checked here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from companion.interfaces import Prompt, Reply
from companion.safety.policy import SAFETY_URGES
from companion.safety.policy import load as load_policy
from companion.understand import analysis

SAFETY_LEVEL = load_policy().urge_level
"""Urge intensity (0-10) at or above which a safety urge brings the safety response."""
CHECK_IN_LEVEL = load_policy().check_in_level
"""Urge intensity (0-10) at or above which, below SAFETY_LEVEL, a safety urge brings the
check-in."""
CHECK_IN = Prompt(id="_check_in", kind="yesno", text=load_policy().says("check_in"),
                  hint=load_policy().says("check_in_hint"))
CHECK_IN_ASKS = 2
"""A check-in reply that is neither yes, no nor a disclosure is asked once more; then the
response is given (fail safe)."""


def needs(result: Any, text: str, urges: set[str]) -> str | None:
    """What a reply needs by the policy alone: 'crisis_language' or 'urge_intensity' (the full
    response), 'check' (the check-in question) or None. `urges`: the safety urges the reply
    names or rates. A named urge waits for its rating (under SAFETY_LEVEL: the check-in), unless
    the means is at hand ("the blade is in my pencil case"): then the check-in comes now."""
    if result.crisis:
        return "crisis_language"
    rated = result.intensity
    if (rated or 0) >= SAFETY_LEVEL and urges:
        return "urge_intensity"
    named = bool(set(result.urges) & set(SAFETY_URGES))
    risky = analysis.risk_words(text) or getattr(result, "possible_crisis", False)
    if (rated is not None and rated >= CHECK_IN_LEVEL and urges) or (
            risky and (not named or analysis.means_at_hand(text))):
        return "check"
    return None


class Responder(Protocol):
    """The immediate response to crisis language or a strong self-harm/suicide urge."""

    def respond(self, trigger: dict[str, Any], ask: Callable[..., Reply],
                say: Callable[[str, str], None],
                on_disclosure: Callable[[Reply], dict[str, Any]]) -> bool:
        """Show the safety information; True only when the client clearly wants to go on."""


class Triage:
    """Checks every reply of one record; records each trigger there and saves it before and
    after the response, so a crash mid-response still shows it was needed."""

    def __init__(self, safety: dict[str, Any], *, responder: Responder,
                 say: Callable[[str, str], None], save: Callable[[], None],
                 now: Callable[[], str], urges_of: Callable[[str], list[str]] = lambda _: [],
                 acted_on: Callable[[Prompt, Reply], bool] = lambda p, r: False) -> None:
        """`safety` is the record's safety block; `urges_of(prompt_id)` the urges named at an
        earlier question (a rating prompt rates them); `acted_on` tells a reply that says a
        safety urge was acted on (reflection)."""
        self.safety, self.responder, self.say = safety, responder, say
        self.save, self.now, self.urges_of, self.acted_on = save, now, urges_of, acted_on

    @property
    def responses(self) -> int:
        return len(self.safety["triggers"])

    def check(self, prompt: Prompt, reply: Reply, ask: Callable[..., Reply]) -> bool:
        """Run the safety response when needed; False when the client chose to stop."""
        found = needs(reply.result, reply.text, self._safety_urges(prompt, reply.result))
        reason = found if found != "check" else None
        if reason is None and self.acted_on(prompt, reply):
            reason = "acted_on_urge"
        elif reason is None and found == "check":
            reason = self._check_in(prompt, ask)
        if reason is None:
            return True
        first = len(self.safety["triggers"])
        trigger = self._trigger(prompt.id, reply, reason)
        carry_on = self.responder.respond(trigger, ask, self.say, self._disclosure)
        self.safety["notice_shown"] = True
        for each in self.safety["triggers"][first:]:  # with any new disclosure in the response
            each["continued"] = carry_on
        self.save()
        return carry_on

    def _check_in(self, prompt: Prompt, ask: Callable[..., Reply]) -> str | None:
        """Risk words without crisis language: ask whether the client is safe. Only a clear yes
        means no response; a reply that is neither is asked once more, then the response."""
        for _ in range(CHECK_IN_ASKS):
            reply = ask(CHECK_IN, retries=0)
            if reply.disclosure:
                return "disclosure"
            if reply.status in ("stop", "ended") or reply.answer == "no":
                return "not_safe"
            if reply.answer == "yes":
                return None
        return "not_safe"

    def _disclosure(self, reply: Reply) -> dict[str, Any]:
        """A new disclosure during the response: a trigger of its own (saved at once)."""
        return self._trigger("_continue", reply, "disclosure")

    def _trigger(self, prompt_id: str, reply: Reply, reason: str) -> dict[str, Any]:
        result = reply.result
        kinds = list(dict.fromkeys([*result.crisis_kinds, *reply.disclosure]))
        trigger = {"prompt": prompt_id, "text": reply.text, "reason": reason, "at": self.now(),
                   "kinds": kinds, "intensity": result.intensity}
        self.safety["crisis"] = self.safety["crisis"] or bool(result.crisis)
        self.safety["triggers"].append(trigger)
        self.save()
        return trigger

    def _safety_urges(self, prompt: Prompt, result: Any) -> set[str]:
        """The safety urges a reply names, or rates (those named at the question it rates)."""
        urges = set(result.urges)
        if prompt.condition:
            urges |= set(self.urges_of(prompt.condition))
        return urges & set(SAFETY_URGES)

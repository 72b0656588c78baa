"""The immediate safety response: where to get help now, the client's own plan, then a choice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from companion.errors import CompanionError
from companion.interfaces import Prompt, Reply
from companion.journal.config import Config
from companion.safety import crisis_lines, policy
from companion.safety.crisis_lines import CrisisLines, Line
from companion.safety.plan import PlanStore, SafetyPlan

log = logging.getLogger(__name__)
Offer = Callable[[Callable[..., Reply], Callable[[str, str], None]], Any]

POLICY = policy.load()
CONTINUE_PROMPT = Prompt(id="_continue", kind="yesno", text=POLICY.says("continue_prompt"),
                         hint=POLICY.says("continue_hint"))
NO_PLAN = POLICY.says("no_plan")
OVERDOSE = POLICY.says("overdose")


class SafetyResponder:
    """Shows (and, through the prompter, speaks) the safety message, then asks to continue."""

    def __init__(self, lines: CrisisLines | None = None, plan: SafetyPlan | None = None, *,
                 offer: Offer | None = None) -> None:
        """`offer(ask, say)` offers a guided skill once the numbers and plan were given and the
        client chose to stop the worksheet."""
        self.lines = lines or crisis_lines.load(None)
        self.plan = plan if plan and plan.steps else None
        self.offer = offer

    def respond(self, trigger: dict[str, Any], ask: Callable[..., Reply],
                say: Callable[[str, str], None],
                on_disclosure: Callable[[Reply], dict[str, Any]]) -> bool:
        """Deliver the message, then ask whether to go on. Only a clear yes goes on: an unclear
        reply is asked once more, then the lines are given again and the question stays; a new
        disclosure is a trigger of its own with its own message; no, stop or the end of input
        stop the worksheet."""
        blocks = self._respond_to(trigger, say)
        unclear = 0
        while True:
            reply = ask(CONTINUE_PROMPT, retries=0, on_repeat=partial(self._deliver, blocks, say))
            if reply.result is not None and reply.result.crisis:  # a new disclosure
                blocks = self._respond_to(on_disclosure(reply), say)
                unclear = 0
            elif reply.answer == "yes":
                say(POLICY.says("going_on"), "info")
                return True
            elif reply.answer == "no" or reply.status in ("stop", "ended"):
                say(POLICY.says("stopping", reach=self._reach()), "safety")
                if self.offer is not None and reply.status != "ended":
                    self.offer(ask, say)
                return False
            else:
                unclear += 1
                if unclear >= 2:  # still paused: the help again, never "carry on" by default
                    say(POLICY.says("still_paused"), "info")
                    self._deliver(blocks[1:] or blocks, say)
                    unclear = 0
                else:
                    say(CONTINUE_PROMPT.hint, "hint")

    def _respond_to(self, trigger: dict[str, Any], say: Callable[[str, str], None]) -> list[str]:
        kinds = trigger.get("kinds") or ()
        kind = message_kind(kinds)
        blocks = self.message(kind, kinds)
        self._deliver(blocks, say)
        trigger["response"] = {"message": kind, "region": self.lines.region,
                               "plan_shown": self.plan is not None}
        return blocks

    def message(self, kind: str, kinds: Any = ()) -> list[str]:
        """The message as blocks of short sentences (one line each): help, lines, plan."""
        call = emergency_call(self.lines)
        hint = [self.lines.emergency_hint] if self.lines.emergency_hint else []
        if kind == "self_harm_done":
            first = [POLICY.says("pause"), POLICY.says("hurt", call=call.capitalize()), *hint]
            if "overdose" in kinds:
                first.append(OVERDOSE)
            first += [POLICY.says("agreement"), POLICY.says("not_a_service")]
        else:
            first = [POLICY.says("pause"), POLICY.says("not_a_service"), POLICY.says("danger", call=call),
                     *hint]
        blocks = ["\n".join(first)]
        if self.lines.lines:
            blocks.append("\n".join([POLICY.says("lines_intro"), *(_describe(ln) for ln in self.lines.lines)]))
        if self.plan:
            blocks.append("\n".join([POLICY.says("plan_intro"), *(s.spoken() for s in self.plan.steps)]))
        else:
            blocks.append(NO_PLAN)
        return blocks

    def _deliver(self, blocks: list[str], say: Callable[[str, str], None]) -> None:
        for block in blocks:
            say(block, "safety")

    def _reach(self) -> str:
        first = self.lines.lines[0].action() if self.lines.lines else ""
        emergency = f"{emergency_call(self.lines)} if you are not safe"
        return f"{first}, or {emergency}" if first else emergency


def message_kind(kinds: Any) -> str:
    """'self_harm_done' when harm has already happened, else 'crisis'."""
    return "self_harm_done" if any(k in POLICY.after_harm_kinds for k in kinds) else "crisis"


def emergency_call(lines: CrisisLines) -> str:
    """'call 911', or 'call your local emergency number' when the region has none."""
    if lines.emergency is None:
        return "call your local emergency number"
    return f"call {lines.emergency.numbers()}"


def _describe(line: Line) -> str:
    if line.how == ("web",):
        return f"{line.name}: visit {line.number} to find a free helpline near you."
    when = f", {line.hours}" if line.hours else ""
    return f"{line.name}: {line.action()}{when}."


def for_home(home: Path, region: str | None = None,
             offer: Offer | None = None) -> SafetyResponder:
    """The responder for this user: their region's lines (from config unless given) and plan."""
    try:
        region = region or Config(home).get("region")
    except CompanionError as exc:  # a bad config must never block the safety response
        log.warning("could not read the region: %s", exc)
    return SafetyResponder(crisis_lines.load(region), PlanStore(home).load_quietly(),
                           offer=offer)


class HomeResponder:
    """The responder for this user, built when a response is needed, so a region set at the
    first question of the session is the one used."""

    def __init__(self, home: Path, region: str | None = None,
                 offer: Offer | None = None) -> None:
        self.home, self.region, self.offer = home, region, offer

    def respond(self, trigger: dict[str, Any], ask: Callable[..., Reply],
                say: Callable[[str, str], None],
                on_disclosure: Callable[[Reply], dict[str, Any]]) -> bool:
        return for_home(self.home, self.region, self.offer).respond(trigger, ask, say,
                                                                    on_disclosure)

"""The immediate safety response: where to get help now, the client's own plan, then a choice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.errors import CompanionError
from companion.interfaces import Prompt
from companion.journal.config import Config
from companion.safety import crisis_lines, policy
from companion.safety.crisis_lines import CrisisLines, Line
from companion.safety.plan import PlanStore, SafetyPlan

log = logging.getLogger(__name__)

POLICY = policy.load()
CONTINUE_PROMPT = Prompt(id="_continue", kind="yesno", text=POLICY.says("continue_prompt"),
                         hint=POLICY.says("continue_hint"))
NO_PLAN = POLICY.says("no_plan")
OVERDOSE = POLICY.says("overdose")
MAX_ASKS = 3


class SafetyResponder:
    """Shows (and, through the prompter, speaks) the safety message, then asks to continue."""

    def __init__(self, lines: CrisisLines | None = None, plan: SafetyPlan | None = None, *,
                 understand: Callable[[str], str | None] | None = None) -> None:
        self.lines = lines or crisis_lines.load(None)
        self.plan = plan if plan and plan.steps else None
        self.understand = understand or understand_reply

    def respond(self, trigger: dict[str, Any], prompter: Any, source: Any) -> bool:
        """Deliver the message; True when the client wants to continue the worksheet."""
        kind = message_kind(trigger.get("kinds") or ())
        blocks = self.message(kind, trigger.get("kinds") or ())
        self._deliver(blocks, prompter)
        trigger["response"] = {"message": kind, "region": self.lines.region,
                               "plan_shown": self.plan is not None}
        for _ in range(MAX_ASKS):
            prompter.say(CONTINUE_PROMPT.text, "prompt")
            heard = source.listen(CONTINUE_PROMPT)
            if heard is None:
                return False
            reply = self.understand(heard.text)
            if reply in ("no", "stop"):
                prompter.say(POLICY.says("stopping", reach=self._reach()), "safety")
                return False
            if reply == "yes":
                prompter.say(POLICY.says("going_on"), "info")
                return True
            if reply == "repeat":
                self._deliver(blocks, prompter)
            else:
                prompter.say(CONTINUE_PROMPT.hint, "hint")
        prompter.say(POLICY.says("going_on"), "info")
        return True

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

    def _deliver(self, blocks: list[str], prompter: Any) -> None:
        for block in blocks:
            prompter.say(block, "safety")

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


def understand_reply(text: str) -> str | None:
    """yes, no, stop or repeat from an answer to 'keep going?'; None when unclear."""
    from companion.understand import analysis  # written in parallel; imported only when needed

    command = analysis.detect_command(text)
    if command in ("stop", "repeat"):
        return command
    answer = analysis.parse_yesno(text)
    return answer if answer in ("yes", "no") else None


def for_home(home: Path, region: str | None = None) -> SafetyResponder:
    """The responder for this user: their region's lines (from config unless given) and plan."""
    try:
        region = region or Config(home).get("region")
    except CompanionError as exc:  # a bad config must never block the safety response
        log.warning("could not read the region: %s", exc)
    return SafetyResponder(crisis_lines.load(region), PlanStore(home).load_quietly())

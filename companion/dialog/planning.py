"""Recording the client's safety plan step by step (the six-step plan worksheet)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from companion.data import load_data, read_text
from companion.dialog.engine import Dialog
from companion.dialog.worksheet import Worksheet, parse
from companion.interfaces import AnswerSource, Prompt, Prompter, Reply
from companion.safety.plan import PlanStep, PlanStore, SafetyPlan, split_items

SHEET_NAME = "safety_plan.toml"


def load_sheet() -> tuple[Worksheet, dict[str, str]]:
    """The packaged six-step plan worksheet and its step titles."""
    sheet = parse(read_text(SHEET_NAME), source=f"(built-in) {SHEET_NAME}")
    titles = load_data(SHEET_NAME).get("titles", {})
    return sheet, {p.id: str(titles.get(p.id, p.id.replace("_", " ").capitalize()))
                   for p in sheet.prompts}


class PlanGuard:
    """Crisis words while recording a plan: a plan names warning signs such as suicidal
    thoughts, so the reply is the emergency line, said once, not a full stop."""

    def __init__(self, say: Callable[[str, str], None], danger_line: str) -> None:
        self.say, self.danger_line, self.reminded = say, danger_line, False

    @property
    def responses(self) -> int:
        return 0

    def check(self, prompt: Prompt, reply: Reply, ask: Callable[..., Reply]) -> bool:
        if self.danger_line and not self.reminded and reply.result.crisis:
            self.reminded = True
            self.say(self.danger_line, "safety")
        return True


class PlanRecorder:
    """Asks the six steps in order through the dialog engine; saves after every answer; skip
    (or silence) keeps an earlier answer."""

    def __init__(self, sheet: Worksheet, titles: dict[str, str], *, source: AnswerSource,
                 prompter: Prompter, store: PlanStore, clock: Callable[[], datetime],
                 danger_line: str = "") -> None:
        self.sheet, self.titles, self.store, self.clock = sheet, titles, store, clock
        self.prompter = prompter
        self.dialog = Dialog(source, prompter, guard=PlanGuard(prompter.say, danger_line),
                             note=lambda event: None)
        self.plan = store.load_quietly() or SafetyPlan()
        self.history: list[int] = []

    def run(self) -> SafetyPlan:
        """Ask every step (or until stop / end of input); returns the plan as saved."""
        index: int | None = 0
        while index is not None and index < len(self.sheet.prompts):
            index = self._step(index)
        return self.plan

    def _step(self, index: int) -> int | None:
        prompt = self.sheet.prompts[index]
        earlier = self.plan.step(prompt.id)
        if earlier:
            prompt = replace(prompt, text=f"{prompt.text} Last time you said: {earlier.text}. "
                             "Say skip to keep it.")
        reply = self.dialog.ask(prompt)
        if reply.status in ("stop", "ended"):
            return None
        if reply.status == "back":
            if self.history:
                return self.history.pop()
            self.dialog.say(self.dialog.words["first_question"], "hint")
            return index
        if reply.status == "answer":
            self._keep(PlanStep(prompt.id, self.titles[prompt.id], reply.text,
                                split_items(reply.text)))
        self.history.append(index)
        return index + 1

    def _keep(self, step: PlanStep) -> None:
        now = self.clock().isoformat(timespec="seconds")
        steps = {s.id: s for s in self.plan.steps} | {step.id: step}
        ordered = tuple(steps[p.id] for p in self.sheet.prompts if p.id in steps)
        self.plan = SafetyPlan(ordered, self.plan.created_at or now, now)
        self.store.save(self.plan)

"""Recording the client's safety plan step by step (the six-step plan worksheet)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from companion.data import load_data, read_text
from companion.dialog.worksheet import Worksheet, parse
from companion.safety.plan import PlanStep, PlanStore, SafetyPlan, split_items

SHEET_NAME = "safety_plan.toml"
COMMANDS_HELP = "You can also say: repeat, skip, go back, or stop."


def load_sheet() -> tuple[Worksheet, dict[str, str]]:
    """The packaged six-step plan worksheet and its step titles."""
    sheet = parse(read_text(SHEET_NAME), source=f"(built-in) {SHEET_NAME}")
    titles = load_data(SHEET_NAME).get("titles", {})
    return sheet, {p.id: str(titles.get(p.id, p.id.replace("_", " ").capitalize()))
                   for p in sheet.prompts}


class PlanRecorder:
    """Asks the six steps in order; saves after every answer; skip keeps an earlier answer."""

    def __init__(self, sheet: Worksheet, titles: dict[str, str], *, source: Any, prompter: Any,
                 store: PlanStore, clock: Callable[[], datetime],
                 command: Callable[[str], str | None],
                 crisis: Callable[[str], bool] = lambda text: False,
                 danger_line: str = "") -> None:
        self.sheet, self.titles = sheet, titles
        self.source, self.prompter, self.store = source, prompter, store
        self.clock, self.command = clock, command
        self.crisis, self.danger_line = crisis, danger_line
        self.reminded = False
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
        self.prompter.say(prompt.text, "prompt")
        earlier = self.plan.step(prompt.id)
        if earlier:
            self.prompter.say(f"Last time you said: {earlier.text}. Say skip to keep it.", "hint")
        empties = 0
        while True:
            heard = self.source.listen(prompt)
            if heard is None:
                return None
            text = " ".join(heard.text.split())
            command = self.command(text) if text and len(text.split()) <= 5 else None
            if command == "stop":
                return None
            if command == "skip":
                return self._advance(index)
            if command == "back":
                if self.history:
                    return self.history.pop()
                self.prompter.say("This is the first question.", "hint")
            elif command in ("repeat", "help"):
                self.prompter.say(prompt.text if command == "repeat" else
                                  f"{prompt.hint} {COMMANDS_HELP}", "hint")
            elif not text:
                empties += 1
                if empties >= 2:
                    return self._advance(index)
                self.prompter.say("I didn't catch that. Try again, or say skip.", "hint")
            else:
                self._keep(PlanStep(prompt.id, self.titles[prompt.id], text, split_items(text)))
                self._remind_if_in_danger(text)
                return self._advance(index)

    def _remind_if_in_danger(self, text: str) -> None:
        """Crisis words are checked on every answer. A plan names warning signs such as
        suicidal thoughts, so the reply is the emergency line, said once, not a full stop."""
        if self.danger_line and not self.reminded and self.crisis(text):
            self.reminded = True
            self.prompter.say(self.danger_line, "safety")

    def _advance(self, index: int) -> int:
        self.history.append(index)
        return index + 1

    def _keep(self, step: PlanStep) -> None:
        now = self.clock().isoformat(timespec="seconds")
        steps = {s.id: s for s in self.plan.steps} | {step.id: step}
        ordered = tuple(steps[p.id] for p in self.sheet.prompts if p.id in steps)
        self.plan = SafetyPlan(ordered, self.plan.created_at or now, now)
        self.store.save(self.plan)

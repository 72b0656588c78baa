"""The client's own safety plan: six steps, recorded by voice or typing, kept in safety_plan.json."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import RecordError
from companion.journal import atomic

log = logging.getLogger(__name__)

PLAN_NAME = "safety_plan.json"
SHEET_NAME = "safety_plan.toml"
SCHEMA_VERSION = 1
_SPLIT = re.compile(r"\s*(?:[,;\n]|\band then\b|\band also\b|\band\b|\balso\b)\s*",
                    re.IGNORECASE)


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan: the answer as given, and the separate things in it."""

    id: str
    title: str
    text: str
    items: tuple[str, ...] = ()

    def spoken(self) -> str:
        """'My warning signs: I can't sleep, I stop eating.'"""
        body = ", ".join(self.items or (self.text,)).rstrip(".")
        return f"{self.title}: {body}."


@dataclass(frozen=True)
class SafetyPlan:
    """The steps the client filled in, in the plan's order."""

    steps: tuple[PlanStep, ...] = ()
    created_at: str = ""
    updated_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "created_at": self.created_at,
                "updated_at": self.updated_at,
                "steps": [{"id": s.id, "title": s.title, "text": s.text, "items": list(s.items)}
                          for s in self.steps]}

    def step(self, step_id: str) -> PlanStep | None:
        return next((s for s in self.steps if s.id == step_id), None)


def split_items(text: str) -> tuple[str, ...]:
    """'a walk, cold water and my sister' -> ('a walk', 'cold water', 'my sister')."""
    parts = (p.strip(" .!?-") for p in _SPLIT.split(text))
    return tuple(p for p in parts if p)


def from_dict(data: dict[str, Any], where: str) -> SafetyPlan:
    """A plan from its JSON form; RecordError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise RecordError(f"{where} is not a safety plan. Record it again with: companion plan")
    if data.get("schema_version", 1) > SCHEMA_VERSION:
        raise RecordError(f"{where} was written by a newer companion. Update companion.")
    steps = []
    for raw in data["steps"]:
        if isinstance(raw, dict) and isinstance(raw.get("text"), str) and raw.get("id"):
            items = tuple(str(i) for i in raw.get("items") or ())
            steps.append(PlanStep(str(raw["id"]), str(raw.get("title") or raw["id"]),
                                  raw["text"], items))
    return SafetyPlan(tuple(steps), str(data.get("created_at", "")),
                      str(data.get("updated_at", "")))


class PlanStore:
    """Reads and writes <home>/safety_plan.json (atomic, 0600)."""

    def __init__(self, home: Path) -> None:
        self.path = home / PLAN_NAME

    def load(self) -> SafetyPlan | None:
        """The saved plan, None when there is none; RecordError when it cannot be read."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise RecordError(f"Your safety plan {self.path} cannot be read ({exc}). "
                              "Record it again with: companion plan") from None
        return from_dict(data, str(self.path))

    def load_quietly(self) -> SafetyPlan | None:
        """Like load, but a damaged file is logged and treated as no plan (used in a crisis)."""
        try:
            return self.load()
        except RecordError as exc:
            log.warning("%s", exc)
            return None

    def save(self, plan: SafetyPlan) -> None:
        atomic.write_json(self.path, plan.as_dict())


def render(plan: SafetyPlan, title: str = "YOUR SAFETY PLAN") -> str:
    """The plan as an easy-to-scan block for the screen."""
    bar = "─" * 60
    lines = [bar, f"  {title}", bar]
    for step in plan.steps:
        lines.append(f"  {step.title}")
        lines += [f"   • {item}" for item in step.items or (step.text,)]
    if not plan.steps:
        lines.append("  (nothing recorded yet)")
    lines.append(bar)
    return "\n".join(lines)

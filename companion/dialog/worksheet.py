"""Load and validate worksheets (TOML data files) into immutable prompts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.data import DataError, parse_toml, read_text
from companion.errors import WorksheetError
from companion.interfaces import Prompt

PROMPT_KINDS = ("free", "emotions", "intensity", "urges", "skills", "yesno")
ROLES = ("situation", "emotions", "intensity", "urges", "urge_intensity", "skills_tried", "goal",
         "backup")
"""What the summary says about an answer. A prompt gets its role from `role = ...`, else from
an id that is a role's name, else from its kind when only one prompt has that kind."""
ROLE_KINDS = {"emotions": "emotions", "urges": "urges", "skills": "skills_tried"}
DEFAULT_NAME = "worksheet.toml"


@dataclass(frozen=True)
class Worksheet:
    """An ordered list of prompts with a name and a title."""

    name: str
    title: str
    prompts: tuple[Prompt, ...]
    source: str
    roles: dict[str, str] = field(default_factory=dict)
    """Prompt id -> summary role (see ROLES)."""

    def by_role(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers keyed by summary role instead of prompt id."""
        return {role: answers[pid] for pid, role in self.roles.items() if pid in answers}

    def unroled(self, answers: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """(prompt text, answer) for answers no summary role covers, in worksheet order."""
        return [(p.text, answers[p.id]) for p in self.prompts
                if p.id in answers and p.id not in self.roles]

    def missing_roles(self) -> list[str]:
        """Summary roles no prompt fills (a custom worksheet's summary will lack them)."""
        return [r for r in ROLES if r not in self.roles.values()]

    def index(self, prompt_id: str) -> int:
        """Position of a prompt by id (ValueError if absent)."""
        for i, prompt in enumerate(self.prompts):
            if prompt.id == prompt_id:
                return i
        raise ValueError(prompt_id)


def load_default() -> Worksheet:
    """The packaged default coaching-call worksheet."""
    text = read_text(DEFAULT_NAME)
    return parse(text, source=f"(built-in) {DEFAULT_NAME}")


def load(path: Path) -> Worksheet:
    """A worksheet from a TOML file; WorksheetError names the file, prompt and problem."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise WorksheetError(f"Worksheet {path} does not exist. Check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorksheetError(f"Worksheet {path} cannot be read: {exc}.") from None
    return parse(text, source=str(path))


def parse(text: str, source: str) -> Worksheet:
    """Validate TOML text as a worksheet."""
    try:
        data = parse_toml(text, f"Worksheet {source}")
    except DataError as exc:
        raise WorksheetError(f"{exc}.") from None
    raw_prompts = data.get("prompt")
    if not isinstance(raw_prompts, list) or not raw_prompts:
        raise WorksheetError(
            f"Worksheet {source} has no prompts: add at least one [[prompt]] table."
        )
    prompts: list[Prompt] = []
    explicit: dict[str, str] = {}
    for number, raw in enumerate(raw_prompts, start=1):
        prompts.append(_prompt(raw, number, source, {p.id for p in prompts}))
        if isinstance(raw.get("role"), str):
            explicit[prompts[-1].id] = _check_role(raw["role"], f"Worksheet {source}, prompt "
                                                   f"{number} ('{prompts[-1].id}')")
    name = data.get("name") or Path(source).stem
    title = data.get("title") or "Getting ready for your coaching call"
    if not isinstance(name, str) or not isinstance(title, str):
        raise WorksheetError(f"Worksheet {source}: 'name' and 'title' must be text.")
    return Worksheet(name=name, title=title, prompts=tuple(prompts), source=source,
                     roles=_roles(prompts, explicit))


def _check_role(role: str, where: str) -> str:
    if role not in ROLES:
        raise WorksheetError(f"{where}: unknown role '{role}'; use one of {', '.join(ROLES)}.")
    return role


def _roles(prompts: list[Prompt], explicit: dict[str, str]) -> dict[str, str]:
    """Explicit roles, then ids named after a role, then kinds only one prompt has."""
    roles = dict(explicit)
    for p in prompts:
        if p.id not in roles and p.id in ROLES and p.id not in roles.values():
            roles[p.id] = p.id
    for kind, role in ROLE_KINDS.items():
        of_kind = [p for p in prompts if p.kind == kind and p.id not in roles]
        if len(of_kind) == 1 and role not in roles.values():
            roles[of_kind[0].id] = role
    ratings = [p for p in prompts if p.kind == "intensity" and p.id not in roles]
    for p in ratings:
        role = "urge_intensity" if roles.get(p.condition or "") == "urges" else "intensity"
        if role not in roles.values():
            roles[p.id] = role
    return roles


def _prompt(raw: object, number: int, source: str, earlier: set[str]) -> Prompt:
    where = f"Worksheet {source}, prompt {number}"
    if not isinstance(raw, dict):
        raise WorksheetError(f"{where}: must be a [[prompt]] table.")
    pid = raw.get("id")
    if isinstance(pid, str) and pid:
        where = f"Worksheet {source}, prompt {number} ('{pid}')"
    for name in ("id", "kind", "text"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise WorksheetError(f"{where}: missing field '{name}' (it must be non-empty text).")
    if not pid.isidentifier():
        raise WorksheetError(f"{where}: id must be letters, digits and underscores.")
    if pid in earlier:
        raise WorksheetError(f"{where}: the id '{pid}' is used twice.")
    if raw["kind"] not in PROMPT_KINDS:
        raise WorksheetError(
            f"{where}: unknown kind '{raw['kind']}'; use one of {', '.join(PROMPT_KINDS)}."
        )
    hint = raw.get("hint", "")
    if not isinstance(hint, str):
        raise WorksheetError(f"{where}: 'hint' must be text.")
    condition = raw.get("condition")
    if condition is not None and condition not in earlier:
        raise WorksheetError(
            f"{where}: condition '{condition}' must be the id of an earlier prompt."
        )
    unknown = set(raw) - {"id", "kind", "text", "hint", "condition", "role"}
    if unknown:
        raise WorksheetError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    return Prompt(id=pid, kind=raw["kind"], text=raw["text"].strip(), hint=hint.strip(),
                  condition=condition)

"""Load and validate worksheets (TOML data files) into immutable prompts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.data import DataError, parse_toml, read_text
from companion.errors import WorksheetError
from companion.interfaces import Prompt

PROMPT_KINDS = ("free", "emotions", "intensity", "urges", "skills", "yesno")
DEFAULT_NAME = "worksheet.toml"


@dataclass(frozen=True)
class Worksheet:
    """An ordered list of prompts with a name and a title."""

    name: str
    title: str
    prompts: tuple[Prompt, ...]
    source: str

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
    for number, raw in enumerate(raw_prompts, start=1):
        prompts.append(_prompt(raw, number, source, {p.id for p in prompts}))
    name = data.get("name") or Path(source).stem
    title = data.get("title") or "Getting ready for your coaching call"
    if not isinstance(name, str) or not isinstance(title, str):
        raise WorksheetError(f"Worksheet {source}: 'name' and 'title' must be text.")
    return Worksheet(name=name, title=title, prompts=tuple(prompts), source=source)


def _prompt(raw: object, number: int, source: str, earlier: set[str]) -> Prompt:
    where = f"Worksheet {source}, prompt {number}"
    if not isinstance(raw, dict):
        raise WorksheetError(f"{where}: must be a [[prompt]] table.")
    pid = raw.get("id")
    if isinstance(pid, str) and pid:
        where = f"Worksheet {source}, prompt {number} ('{pid}')"
    for field in ("id", "kind", "text"):
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            raise WorksheetError(f"{where}: missing field '{field}' (it must be non-empty text).")
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
    unknown = set(raw) - {"id", "kind", "text", "hint", "condition"}
    if unknown:
        raise WorksheetError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    return Prompt(id=pid, kind=raw["kind"], text=raw["text"].strip(), hint=hint.strip(),
                  condition=condition)

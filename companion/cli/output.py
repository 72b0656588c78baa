"""What a finished session shows: the summary block, where it was saved, the JSON record;
and private files written for the client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from companion.data.names import display
from companion.errors import ExitCode
from companion.journal import atomic
from companion.journal.store import SessionStore
from companion.settings import PrepareSettings


def finish(record: dict[str, Any], settings: PrepareSettings, ctx: Any, prompter: Any,
           mode: str | None = None) -> int:
    """Show the summary and where it was saved; the JSON record goes alone to stdout. `mode`
    is how the session really went (kept in the record)."""
    if mode and mode != record.get("mode"):
        record["mode"] = mode
        record.setdefault("events", []).append({"type": "mode", "mode": mode})
        SessionStore(settings.home).save(record)
    if record.get("summary"):  # the full block on screen; only the short summary aloud
        prompter.say(render_summary(record), "screen")
        prompter.say(record["summary"], "spoken")
    if record["complete"]:
        prompter.say(f"Saved to {record['files']['markdown']}", "info")
    else:
        print(f"companion: this session is not finished ({record['status']}); everything you "
              f"said is saved. Continue it later with: companion resume {record['id']}",
              file=ctx.stderr)
    if settings.json:
        print(json.dumps(record, ensure_ascii=False), file=ctx.stdout)
    return 0 if record["complete"] or record["status"] == "stopped" else ExitCode.INCOMPLETE


def finish_then_offer(record: dict[str, Any], settings: PrepareSettings, ctx: Any, io: Any,
                      guidance: Any) -> int:
    """finish(); then, for a completed session with a client answering question by question,
    the offer of a guided skill while they wait for the call back."""
    code = finish(record, settings, ctx, io.prompter, io.actual_mode())
    if record["complete"] and io.by_question:
        guidance.offer(record.get("suggested_skills") or ())
    return code


def render_summary(record: dict[str, Any]) -> str:
    """The summary as a block that is easy to read at a glance: one sentence per line, then the
    fuller words of anything the spoken summary shortened, under "More of what you said"."""
    from companion.dialog.summary import answers_by_role, summarise

    bar = "─" * 60
    lines = ["", bar, "  READ THIS ON YOUR CALL", bar]
    lines += [f"  {s}" for s in _sentences(record["summary"])]
    more = summarise(*answers_by_role(record))[1] if record.get("answers") else []
    if more:
        lines += ["", "  More of what you said:"] + [f"   • {s}" for s in more]
    if record.get("suggested_skills"):
        lines += ["", "  Skills I could ask about:"]
        lines += [f"   • {display('skills', s)}" for s in record["suggested_skills"]]
    lines.append(bar)
    return "\n".join(lines)


def _sentences(text: str) -> list[str]:
    """One sentence per item: split after . ? ! where the next sentence starts."""
    import re

    return [s.strip() for s in re.split(r"(?<=[.?!])\s+(?=[A-Z0-9\"'])", text or "") if s.strip()]


def write_private(path: Path, data: bytes) -> None:
    """Atomically write `data` to `path`, readable only by the owner (the folder is not changed)."""
    atomic.replace_file(path, data, "Choose another place with --output FILE.")

"""Render a session record as a readable Markdown transcript."""

from __future__ import annotations

from typing import Any

from companion.vocabulary import display, format_number, join_words


def render_markdown(record: dict[str, Any]) -> str:
    """The whole session: status, summary, suggestions, then every prompt and answer."""
    lines = [f"# Coaching-call preparation {record['id']}", ""]
    lines.append(f"- Started: {record.get('started_at', '?')}")
    lines.append(f"- Status: {_status(record)}")
    if record.get("safety", {}).get("crisis"):
        lines.append("- Safety: crisis language was heard; the safety information was shown.")
    lines.append("")
    if record.get("summary"):
        lines += ["## Summary", "", record["summary"], ""]
    if record.get("suggested_skills"):
        names = [display("skills", s) for s in record["suggested_skills"]]
        lines += ["## Skills I could ask about", ""] + [f"- {n}" for n in names] + [""]
    lines += ["## Transcript", ""]
    for prompt in record.get("prompts", []):
        answer = record.get("answers", {}).get(prompt["id"])
        if answer is None:
            continue
        lines += [f"**{prompt['text']}**", "", _answer_line(answer), ""]
    return "\n".join(lines).rstrip() + "\n"


def _status(record: dict[str, Any]) -> str:
    if record.get("complete"):
        return "complete"
    return f"incomplete ({record.get('status', 'in progress')}); resume with `companion resume {record['id']}`"


def _answer_line(answer: dict[str, Any]) -> str:
    if answer.get("skipped"):
        return "> (skipped)"
    parts = [f"> {answer.get('text', '')}"]
    understood = []
    for group in ("emotions", "urges", "skills"):
        if answer.get(group):
            understood.append(join_words([display(group, i) for i in answer[group]]))
    if answer.get("intensity") is not None:
        understood.append(f"{format_number(answer['intensity'])}/10")
    if answer.get("answer"):
        understood.append(answer["answer"])
    if understood:
        parts.append(f"\n_Understood: {'; '.join(understood)}_")
    return "".join(parts)

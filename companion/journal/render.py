"""Render a session record as a readable Markdown transcript."""

from __future__ import annotations

from typing import Any

from companion.data.names import display, format_number, join_words

REFLECTION_HEADING = "## Reflection after the call"
GENERAL_URGE = "any"
"""Key of a reflection's answer to the general 'did you act on an urge' question."""


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
    if reflection_of(record):
        lines += [REFLECTION_HEADING, ""] + [f"- {line}" for line in reflection_lines(record)]
    return "\n".join(lines).rstrip() + "\n"


def reflection_of(record: dict[str, Any]) -> dict[str, Any]:
    """The session's reflection block ({} when there is none)."""
    reflection = record.get("reflection")
    return reflection if isinstance(reflection, dict) else {}


def _status(record: dict[str, Any]) -> str:
    if record.get("complete"):
        return "complete"
    return f"incomplete ({record.get('status', 'in progress')}); resume with `companion resume {record['id']}`"


def _answer_line(answer: dict[str, Any]) -> str:
    earlier = [str(e) for e in answer.get("earlier_attempts") or () if e]
    said_first = f"\n_Said first: {' / '.join(earlier)}_" if earlier else ""
    if answer.get("skipped"):
        return "> (skipped)" + said_first
    parts = [f"> {answer.get('text', '')}", said_first]
    if answer.get("awaiting_retry"):
        parts.append("\n_Not understood as a number yet; asked again when the session "
                     "continues._")
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


def reflection_lines(record: dict[str, Any]) -> list[str]:
    """The reflection in a few plain lines (skills and how they helped, urges, to remember)."""
    reflection = reflection_of(record)
    lines = []
    if not reflection.get("complete"):
        lines.append(f"(not finished: {reflection.get('status', '?')}; "
                     f"`companion reflect {record['id']}` continues it)")
    helped = reflection.get("helped") or {}
    skills = [f"{display('skills', s)} ({_rating(helped.get(s))})"
              for s in (reflection.get("skills") or list(helped))]
    if skills:
        lines.append("Skills used: " + ", ".join(skills))
    urges = reflection.get("urges") or {}
    lines += [_urge_sentence(record, urge, outcome) for urge, outcome in urges.items()]
    if reflection.get("remember"):
        lines.append(f"To remember next time: {reflection['remember']}")
    return lines


def _rating(value: Any) -> str:
    return f"helped {format_number(value)}/10" if isinstance(value, int | float) else "not rated"


def urge_said(record: dict[str, Any]) -> str:
    """The client's words at the urges question when the vocabulary knew none of them ("" when
    it named a known urge, nothing, or was skipped)."""
    answers = record.get("answers") or {}
    answer = answers.get("urges")
    if not isinstance(answer, dict) or answer.get("skipped") or answer.get("urges"):
        return ""
    if "urge_intensity" not in answers:  # asked only when the answer named something
        return ""
    return " ".join(str(answer.get("text") or "").split()).rstrip(".!?,;: ")


def _urge_sentence(record: dict[str, Any], urge: str, outcome: Any) -> str:
    """'Did not act on the urge to isolate.' / 'Acted on the urge "text him forty times".'"""
    acted = outcome.get("acted") if isinstance(outcome, dict) else None
    said = urge_said(record) if urge == GENERAL_URGE else ""
    if urge != GENERAL_URGE:
        name = f"the urge to {display('urges', urge)}"
    elif said:
        name = f'the urge "{said}"'
    else:
        return {True: "Acted on an urge since the session.",
                False: "Did not act on any urge since the session."}.get(
            acted, "Did not say whether any urge was acted on.")
    return {True: f"Acted on {name}.", False: f"Did not act on {name}."}.get(
        acted, f"Did not say whether {name} was acted on.")


def render_text(record: dict[str, Any]) -> str:
    """The session as plain text for a terminal or a printout."""
    when = (record.get("started_at") or "?")[:16].replace("T", " ")
    status = "complete" if record.get("complete") else \
        f"not finished ({record.get('status', '?')}); `companion resume {record['id']}` continues it"
    lines = [f"Session {record['id']}, {when}, {status}", ""]
    if record.get("summary"):
        lines += ["Summary:", f"  {record['summary']}", ""]
    if record.get("suggested_skills"):
        names = join_words([display("skills", s) for s in record["suggested_skills"]])
        lines += [f"Skills I could ask about: {names}", ""]
    lines.append("Transcript:")
    for prompt in record.get("prompts", []):
        answer = record.get("answers", {}).get(prompt.get("id"))
        if isinstance(answer, dict):
            lines += [f"  {prompt.get('text', prompt.get('id'))}", *_answer_lines(answer)]
    if reflection_of(record):
        lines += ["", "Reflection after the call:"] + [f"  {x}" for x in reflection_lines(record)]
    return "\n".join(lines) + "\n"


def _answer_lines(answer: dict[str, Any]) -> list[str]:
    if answer.get("skipped"):
        return ["    (skipped)"]
    lines = [f"    > {answer.get('text', '')}"]
    understood = [join_words([display(g, i) for i in answer[g]])
                  for g in ("emotions", "urges", "skills") if answer.get(g)]
    if isinstance(answer.get("intensity"), int | float):
        understood.append(f"{format_number(answer['intensity'])}/10")
    if answer.get("answer"):
        understood.append(str(answer["answer"]))
    if understood:
        lines.append(f"    (understood: {'; '.join(understood)})")
    return lines

"""Asking once, on first run, which country the client is in (for the right crisis numbers)."""

from __future__ import annotations

from companion.dialog.engine import Dialog
from companion.interfaces import Prompt
from companion.journal.config import Config
from companion.safety import crisis_lines

REGION_PROMPT = Prompt(
    id="_region", kind="free",
    text="Which country are you in? I ask once, so I can give you the right crisis numbers.",
    hint="For example: United States, Canada, UK, Ireland, Australia or New Zealand. "
         "Or say other.")
ELSEWHERE = ("other", "somewhere else", "another country", "none of those", "elsewhere",
             "a different country", "not listed")
FOR_NOW = ("I'll give general advice for now and ask again next time. You can also set it "
           "with: companion config set region.")


def ask_region_once(config: Config, dialog: Dialog) -> tuple[str | None, str]:
    """Ask for the country when none is stored; store it only when it was understood.

    Returns (the region in effect or None, the reply's status: answer, skip, stop, ended...).
    A country without its own numbers, said as "other", is stored as 'other'; an empty or
    unclear reply is asked once more, then nothing is stored (asked again next time)."""
    current = config.get("region")
    if current:
        return str(current), "answer"
    for attempt in range(2):
        reply = dialog.ask(REGION_PROMPT, retries=0)
        if reply.status == "empty":  # nothing said twice: not now, and nothing stored
            break
        if reply.status not in ("answer", "unclear"):
            return None, reply.status
        region = _region_in(reply.text)
        if region:
            config.set("region", region)
            dialog.say(_confirmation(region), "info")
            return region, "answer"
        if attempt == 0:
            dialog.say(REGION_PROMPT.hint, "hint")
    dialog.say(FOR_NOW, "info")
    return None, "answer"


def _region_in(text: str) -> str | None:
    found = crisis_lines.find_region(text) or crisis_lines.normalize_region(text)
    if found:
        return found
    said = " ".join(text.lower().replace("'", " ").split())
    return crisis_lines.OTHER if any(p in said for p in ELSEWHERE) else None


def _confirmation(region: str) -> str:
    if region == crisis_lines.OTHER:
        return ("I don't have numbers for that country yet, so in a crisis I'll tell you to call "
                "your local emergency number. You can change this later with: "
                "companion config set region.")
    lines = crisis_lines.load(region)
    return f"Thank you. I'll use crisis numbers for {lines.name}."

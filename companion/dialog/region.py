"""Asking once, on first run, which country the client is in (for the right crisis numbers)."""

from __future__ import annotations

from typing import Any

from companion.interfaces import Prompt
from companion.journal.config import Config
from companion.safety import crisis_lines

REGION_PROMPT = Prompt(
    id="_region", kind="free",
    text="Which country are you in? I ask once, so I can give you the right crisis numbers.",
    hint="For example: United States, Canada, UK, Ireland, Australia or New Zealand.")


def ask_region_once(config: Config, prompter: Any, source: Any) -> str | None:
    """Ask for the country on first run and store it ('other' if not recognised).

    Returns the region now in effect, or None when input ended before any answer.
    Never asks again once a region (even 'other') is stored.
    """
    current = config.get("region")
    if current:
        return str(current)
    prompter.say(REGION_PROMPT.text, "prompt")
    for attempt in range(2):
        heard = source.listen(REGION_PROMPT)
        if heard is None:
            return None
        text = " ".join(heard.text.split())
        if text or attempt:
            break
        prompter.say(REGION_PROMPT.hint, "hint")
    region = crisis_lines.find_region(text) or crisis_lines.normalize_region(text)
    region = region or crisis_lines.OTHER
    config.set("region", region)
    prompter.say(_confirmation(region), "info")
    return region


def _confirmation(region: str) -> str:
    if region == crisis_lines.OTHER:
        return ("I don't have numbers for that country yet, so in a crisis I'll tell you to call "
                "your local emergency number. You can change this later with: "
                "companion config set region.")
    lines = crisis_lines.load(region)
    return f"Thank you. I'll use crisis numbers for {lines.name}."

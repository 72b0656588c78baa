"""The immediate safety response when crisis language or a strong self-harm urge is heard."""

from __future__ import annotations

from typing import Any

from companion.worksheet import Prompt

GENERIC_MESSAGE = (
    "I'm really glad you told me. What you said matters, and you deserve support right now. "
    "This app can't help in an emergency. If you might act on this, or you're hurt, "
    "call your local emergency number now, or go to the nearest emergency department."
)
CONTINUE_PROMPT = Prompt(id="_continue", kind="yesno",
                         text="Do you want to keep going with the worksheet?")


class SafetyResponder:
    """Shows the safety message, then asks whether to continue the worksheet."""

    def respond(self, trigger: dict[str, Any], prompter: Any, source: Any) -> bool:
        from companion import analysis

        prompter.say(GENERIC_MESSAGE, "safety")
        prompter.say(CONTINUE_PROMPT.text, "prompt")
        heard = source.listen(CONTINUE_PROMPT)
        if heard is None:
            return False
        return analysis.parse_yesno(heard.text) != "no"

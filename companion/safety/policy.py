"""The safety policy and wording from data/safety.toml, checked on load (no key ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from companion.data import DataError, check_keys, load_data

FILE = "safety.toml"
POLICY_KEYS = ("urge_level", "check_in_level", "safety_urges", "after_harm_kinds")
WORDING_KEYS = ("pause", "not_a_service", "danger", "hurt", "overdose", "agreement",
                "lines_intro", "plan_intro", "no_plan", "going_on", "stopping", "check_in",
                "check_in_hint", "still_paused",
                "continue_prompt", "continue_hint")


@dataclass(frozen=True)
class Policy:
    """When the safety response starts, and what it says."""

    urge_level: float
    """Urge intensity (0-10) at or above which a safety urge brings the response."""
    check_in_level: float
    """Urge intensity (0-10) at or above which, below urge_level, it brings the check-in."""
    safety_urges: tuple[str, ...]
    after_harm_kinds: tuple[str, ...]
    wording: dict[str, str]

    def says(self, key: str, **values: str) -> str:
        """One sentence of the response, with its {placeholders} filled."""
        return self.wording[key].format(**values) if values else self.wording[key]


def parse(data: dict, where: str = FILE) -> Policy:
    """A Policy from the file's tables; DataError names the problem."""
    check_keys(data, ("policy", "wording"), where)
    policy, wording = data.get("policy", {}), data.get("wording", {})
    check_keys(policy, POLICY_KEYS, f"{where} [policy]")
    check_keys(wording, WORDING_KEYS, f"{where} [wording]")
    missing = [k for k in POLICY_KEYS if k not in policy] + [k for k in WORDING_KEYS
                                                              if not wording.get(k)]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")
    level, check_in = policy["urge_level"], policy["check_in_level"]
    for name, value in (("urge_level", level), ("check_in_level", check_in)):
        if not isinstance(value, int | float) or not 0 <= value <= 10:
            raise DataError(f"{where}: {name} must be a number from 0 to 10")
    if check_in > level:
        raise DataError(f"{where}: check_in_level must not be above urge_level")
    return Policy(float(level), float(check_in), tuple(policy["safety_urges"]),
                  tuple(policy["after_harm_kinds"]), {k: str(v) for k, v in wording.items()})


@cache
def load() -> Policy:
    """The packaged policy (cached)."""
    return parse(load_data(FILE))


SAFETY_URGES = load().safety_urges

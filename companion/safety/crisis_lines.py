"""Emergency numbers and crisis lines per region, loaded from data/crisis_lines/*.toml."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from companion.data import DataError, list_files, parse_toml
from companion.errors import UsageError
from companion.journal.config import Config

log = logging.getLogger(__name__)

OTHER = "other"
"""The region code for anywhere without its own file: general advice only."""
HOW = ("call", "text", "web")
VERIFIED = ("service", "official", "secondary")
_FOLDER = "crisis_lines"
_AMBIGUOUS = ("south america", "latin america", "central america", "north america")
"""Places that contain a region's alias ('america') but are not that region."""


class CrisisDataError(ValueError):
    """A crisis-line data file that is invalid (a packaging bug; tests catch it)."""


@dataclass(frozen=True)
class Line:
    """One number to call or text (or a web directory), with where it was checked."""

    name: str
    number: str
    how: tuple[str, ...]
    hours: str
    source: str
    """The service's own published page."""
    checked: date
    """When the number was last checked against its sources."""
    verified: str
    """service, official or secondary (see the data files' header)."""
    evidence: tuple[str, ...] = ()
    text_word: str = ""
    """The word to text, when the service asks for one (e.g. SHOUT)."""
    other_numbers: tuple[str, ...] = ()
    note: str = ""

    def numbers(self) -> str:
        """'112 or 999'-style text of every number."""
        return " or ".join((self.number, *self.other_numbers))

    def action(self) -> str:
        """How to reach it, e.g. 'call or text 988', 'text SHOUT to 85258'."""
        if self.how == ("web",):
            return f"visit {self.number}"
        if self.how == ("text",) and self.text_word:
            return f"text {self.text_word} to {self.number}"
        verbs = " or ".join(h for h in self.how if h != "web")
        return f"{verbs} {self.numbers()}"


@dataclass(frozen=True)
class CrisisLines:
    """Everything the safety response says about where to get help, for one region."""

    region: str
    name: str
    emergency: Line | None
    lines: tuple[Line, ...]
    """Lines confirmed on the service's own or an official page: the ones shown."""
    aliases: tuple[str, ...] = ()
    emergency_hint: str = ""
    unconfirmed: tuple[Line, ...] = ()
    """Lines seen only in secondary sources (verified = "secondary"): kept in the data for the
    next check, never shown to a client until they are confirmed."""

    @property
    def entries(self) -> tuple[Line, ...]:
        return ((self.emergency,) if self.emergency else ()) + self.lines


FALLBACK = CrisisLines(region=OTHER, name="your country", emergency=None, lines=())
"""Used only if a data file cannot be read: the message still says to call emergency services."""


def parse(text: str, source: str) -> CrisisLines:
    """Validate one region file; CrisisDataError names the file and the problem."""
    try:
        data = parse_toml(text, source)
    except DataError as exc:
        raise CrisisDataError(str(exc)) from None
    region, name = data.get("region"), data.get("name")
    if not isinstance(region, str) or not region or not isinstance(name, str) or not name:
        raise CrisisDataError(f"{source}: needs 'region' and 'name'.")
    raw_emergency = data.get("emergency")
    emergency = _line(raw_emergency, f"{source} [emergency]") if raw_emergency else None
    raw_lines = data.get("line", [])
    if not isinstance(raw_lines, list):
        raise CrisisDataError(f"{source}: 'line' must be a list of [[line]] tables.")
    every = tuple(_line(raw, f"{source} line {i}") for i, raw in enumerate(raw_lines, 1))
    lines = tuple(line for line in every if line.verified != "secondary")
    unconfirmed = tuple(line for line in every if line.verified == "secondary")
    if emergency is None and region != OTHER:
        raise CrisisDataError(f"{source}: a region needs an [emergency] number.")
    aliases = tuple(str(a) for a in data.get("aliases", []))
    if emergency is not None and emergency.verified == "secondary":
        raise CrisisDataError(f"{source}: the emergency number must be confirmed on an official "
                              "page (verified = service or official).")
    return CrisisLines(region=region, name=name, emergency=emergency, lines=lines,
                       aliases=aliases, emergency_hint=str(data.get("emergency_hint", "")),
                       unconfirmed=unconfirmed)


def _line(raw: object, where: str) -> Line:
    if not isinstance(raw, dict):
        raise CrisisDataError(f"{where}: must be a table.")
    for key in ("name", "number", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CrisisDataError(f"{where}: missing '{key}'.")
    how = tuple(raw.get("how", ()))
    if not how or any(h not in HOW for h in how):
        raise CrisisDataError(f"{where}: 'how' must list some of {', '.join(HOW)}.")
    if not isinstance(raw.get("checked"), date):
        raise CrisisDataError(f"{where}: 'checked' must be a date (YYYY-MM-DD).")
    if raw.get("verified") not in VERIFIED:
        raise CrisisDataError(f"{where}: 'verified' must be one of {', '.join(VERIFIED)}.")
    if not raw["source"].startswith("https://"):
        raise CrisisDataError(f"{where}: 'source' must be an https:// address.")
    return Line(name=raw["name"], number=raw["number"], how=how, hours=raw.get("hours", ""),
                source=raw["source"], checked=raw["checked"], verified=raw["verified"],
                evidence=tuple(raw.get("evidence", ())), text_word=raw.get("text_word", ""),
                other_numbers=tuple(raw.get("other_numbers", ())), note=raw.get("note", ""))


def _files() -> dict[str, str]:
    return list_files(_FOLDER)


def load_all() -> dict[str, CrisisLines]:
    """Every region file, strictly validated (tests use this); keys are region codes."""
    out = {}
    for stem, text in sorted(_files().items()):
        lines = parse(text, f"crisis_lines/{stem}.toml")
        out[lines.region] = lines
    return out


@lru_cache(maxsize=1)
def _regions() -> dict[str, CrisisLines]:
    try:
        return load_all()
    except (OSError, ValueError) as exc:  # a broken data file must never break a crisis response
        log.error("crisis lines could not be loaded: %s", exc)
        return {}


def known_regions() -> list[str]:
    """Region codes with their own file, sorted (not including 'other')."""
    return sorted(r for r in _regions() if r != OTHER)


def normalize_region(value: str | None) -> str | None:
    """A region code from a code, alias or country name ('gb' -> 'UK'); None if unknown."""
    if not value:
        return None
    key = _key(value)
    if key == OTHER:
        return OTHER
    for code, lines in _regions().items():
        if key == _key(code) or key in (_key(a) for a in lines.aliases):
            return code
    return None


def find_region(text: str) -> str | None:
    """The region named anywhere in a spoken or typed answer ('i'm in new zealand' -> 'NZ')."""
    words = f" {_key(text)} "
    for place in _AMBIGUOUS:
        words = words.replace(f" {place} ", " ")
    candidates = []
    for code, lines in _regions().items():
        if code == OTHER:
            continue
        for name in (code, *lines.aliases):
            candidates.append((len(_key(name)), _key(name), code))
    for _, name, code in sorted(candidates, reverse=True):  # longest first: northern ireland
        if name and f" {name} " in words:
            return code
    return None


def load(region: str | None) -> CrisisLines:
    """The lines for a region (code or alias); unknown or unset gives the international advice."""
    regions = _regions()
    code = normalize_region(region) if region else None
    if code in regions:
        return regions[code]
    return regions.get(OTHER, FALLBACK)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def check_setting(key: str, value: str) -> str:
    """The value to store for `key`; UsageError says what is allowed."""
    if key == "region":
        code = normalize_region(value.strip())
        if code is None:
            codes = ", ".join(known_regions())
            raise UsageError(f"Unknown region '{value}'. Use one of {codes}, or 'other' for "
                             "general advice. See: companion config list-regions")
        return code
    raise UsageError(f"Unknown setting '{key}'.")


def user_config(home: Path) -> Config:
    """The user's settings, with values checked (a region is stored by its code)."""
    return Config(home, check=check_setting)

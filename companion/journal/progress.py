"""Progress arithmetic over saved sessions: weeks, intensities, skills that helped, urges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from companion.data.names import display
from companion.errors import UsageError
from companion.journal.history import started
from companion.journal.render import GENERAL_URGE, reflection_of, urge_said

BARS = "▁▂▃▄▅▆▇█"
SCALE = (0.0, 10.0)
"""Intensities and help ratings are 0-10."""
Record = dict[str, Any]
Meanings = Callable[[dict[str, Any] | None, str], list[tuple[str, str | None]]]
"""(answer, role) -> what the client named, each with its vocabulary id or None (unknown)."""


def parse_since(text: str, today: date) -> date:
    """A --since value (YYYY-MM-DD); UsageError when unreadable or in the future."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date; use the form 2026-11-01.") from None
    if day > today:
        raise UsageError(f"--since {day} is in the future (today is {today}); "
                         "pick a day on or before today.")
    return day


def since(records: list[Record], day: date | None) -> list[Record]:
    """The records started on or after `day` (their own local date); all when day is None."""
    if day is None:
        return list(records)
    return [r for r in records if (when := started(r)) is not None and when.date() >= day]


def chronological(records: list[Record]) -> list[tuple[datetime, Record]]:
    """Dated records, oldest first (undated ones cannot be placed in time and are left out)."""
    dated = [(when, r) for r in records if (when := started(r)) is not None]
    return sorted(dated, key=lambda pair: (pair[0].timestamp(), str(pair[1].get("id"))))


def sessions_per_week(records: list[Record]) -> list[dict[str, Any]]:
    """Sessions in each ISO week from the first to the last, empty weeks included."""
    counts = Counter(_monday(when.date()) for when, _ in chronological(records))
    if not counts:
        return []
    weeks, monday, last = [], min(counts), max(counts)
    while monday <= last:
        year, week, _ = monday.isocalendar()
        weeks.append({"week": f"{year}-W{week:02d}", "start": monday.isoformat(),
                      "sessions": counts.get(monday, 0)})
        monday += timedelta(days=7)
    return weeks


def series(records: list[Record], field: str) -> list[dict[str, Any]]:
    """The 0-10 number answered at `field` (e.g. intensity, urge_intensity), oldest first."""
    points = []
    for when, record in chronological(records):
        value = number(_answer(record, field).get("intensity"))
        if value is not None:
            points.append({"id": record.get("id"), "date": when.date().isoformat(),
                           "value": value})
    return points


def skill_stats(records: list[Record]) -> list[dict[str, Any]]:
    """Per skill: sessions it was tried or used in, and its average help rating (0-10)."""
    sessions: Counter[str] = Counter()
    ratings: dict[str, list[float]] = {}
    for record in records:
        reflection = reflection_of(record)
        helped = reflection.get("helped")
        rated = {k: r for k, v in (helped.items() if isinstance(helped, dict) else ())
                 if (r := number(v)) is not None}
        tried = _answer(record, "skills_tried").get("skills") or []
        used = reflection.get("skills") or []
        for skill in {s for s in [*tried, *used, *rated] if isinstance(s, str)}:
            sessions[skill] += 1
        for skill, rating in rated.items():
            ratings.setdefault(skill, []).append(rating)
    rows = [{"skill": s, "sessions": sessions[s], "ratings": len(ratings.get(s, [])),
             "average_help": mean(ratings.get(s, []))} for s in sessions]
    return sorted(rows, key=lambda r: (-r["sessions"], -(r["average_help"] or -1), r["skill"]))


def urge_outcomes(records: list[Record], meanings: Meanings | None = None
                  ) -> list[dict[str, Any]]:
    """Per urge asked about in reflections, one row per meaning: how often it was acted on,
    resisted, or not said. The general question about an urge the vocabulary did not know is
    named by the client's words ("text him forty times"), else "any urge"."""
    table: dict[tuple[str, str], Counter[str]] = {}
    for record in records:
        urges = reflection_of(record).get("urges")
        for urge, outcome in (urges.items() if isinstance(urges, dict) else ()):
            acted = outcome.get("acted") if isinstance(outcome, dict) else None
            key = "acted" if acted is True else "resisted" if acted is False else "unknown"
            if urge != GENERAL_URGE:
                name = display("urges", urge)
            else:
                name = _urge_words(record, meanings) or "any urge"
            table.setdefault((urge, name), Counter())[key] += 1
    rows = [{"urge": u, "name": n, "acted": c["acted"], "resisted": c["resisted"],
             "unknown": c["unknown"]} for (u, n), c in table.items()]
    return sorted(rows, key=lambda r: (-(r["acted"] + r["resisted"]), r["urge"], r["name"]))


def named(records: list[Record], role: str, meanings: Meanings | None = None
          ) -> list[dict[str, Any]]:
    """Per emotion or urge (role "emotions" or "urges"): the sessions it was named in and its
    average rating. Known ones count under their category; with `meanings`, what the vocabulary
    does not know counts under the client's own words."""
    meanings = meanings or _ids_only
    rating = "intensity" if role == "emotions" else "urge_intensity"
    sessions: Counter[tuple[str | None, str]] = Counter()
    ratings: dict[tuple[str | None, str], list[float]] = {}
    for record in records:
        value = number(_answer(record, rating).get("intensity"))
        found = {(i, display(role, i) if i else words.lower())
                 for words, i in meanings(_answer(record, role) or None, role)}
        for key in found:
            sessions[key] += 1
            if value is not None:
                ratings.setdefault(key, []).append(value)
    rows = [{"name": name, "id": i, "sessions": n, "average": mean(ratings.get((i, name), []))}
            for (i, name), n in sessions.items()]
    return sorted(rows, key=lambda r: (-r["sessions"], r["name"]))


def _urge_words(record: Record, meanings: Meanings | None) -> str:
    """The client's words for an urge the vocabulary did not know ("" when there are none)."""
    said = urge_said(record).lower()
    if said and meanings is not None:
        words = [w for w, i in meanings(_answer(record, "urges") or None, "urges") if i is None]
        return " and ".join(words).lower() or said
    return said


def _ids_only(answer: dict[str, Any] | None, role: str) -> list[tuple[str, str | None]]:
    ids = (answer or {}).get(role)
    return [(i, i) for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def report(records: list[Record], meanings: Meanings | None = None) -> dict[str, Any]:
    """Everything `companion progress` shows, as plain data (JSON-ready); `meanings` finds the
    client's own words for what the vocabulary does not know (see `named`)."""
    timeline = chronological(records)
    emotion, urge = series(records, "intensity"), series(records, "urge_intensity")
    outcomes = urge_outcomes(records, meanings)
    return {
        "sessions": len(records),
        "complete": sum(1 for r in records if r.get("complete")),
        "reflected": sum(1 for r in records if reflection_of(r)),
        "first": timeline[0][0].date().isoformat() if timeline else None,
        "last": timeline[-1][0].date().isoformat() if timeline else None,
        "weeks": sessions_per_week(records),
        "emotion_intensity": emotion,
        "emotion_intensity_average": mean([p["value"] for p in emotion]),
        "urge_intensity": urge,
        "urge_intensity_average": mean([p["value"] for p in urge]),
        "skills": skill_stats(records),
        "emotions_named": named(records, "emotions", meanings),
        "urges_named": named(records, "urges", meanings),
        "urges": outcomes,
        "urges_total": {k: sum(r[k] for r in outcomes) for k in ("acted", "resisted", "unknown")},
    }


def number(value: Any) -> float | None:
    """A 0-10 rating as a float; None for anything else (skips, text, bad data)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if SCALE[0] <= value <= SCALE[1] else None


def mean(values: list[float]) -> float | None:
    """Average rounded to 2 places, None for no values."""
    return round(sum(values) / len(values), 2) if values else None


def sparkline(values: list[float | None], lo: float | None = None,
              hi: float | None = None) -> str:
    """One bar character per value (None is a gap); the scale is lo..hi (default: the data)."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo = min(0.0, *known) if lo is None else lo
    hi = max(known) if hi is None else hi
    span = hi - lo
    out = []
    for value in values:
        if value is None:
            out.append(" ")
            continue
        step = round((value - lo) / span * (len(BARS) - 1)) if span > 0 else 0
        out.append(BARS[min(max(step, 0), len(BARS) - 1)])
    return "".join(out)


def squeeze(values: list[float], width: int) -> list[float]:
    """At most `width` values: consecutive runs averaged, so long histories fit a terminal."""
    if width <= 0 or len(values) <= width:
        return list(values)
    out = []
    for i in range(width):
        chunk = values[i * len(values) // width:(i + 1) * len(values) // width]
        out.append(sum(chunk) / len(chunk))
    return out


def _answer(record: Record, field: str) -> dict[str, Any]:
    answers = record.get("answers")
    answer = answers.get(field) if isinstance(answers, dict) else None
    return answer if isinstance(answer, dict) and not answer.get("skipped") else {}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())

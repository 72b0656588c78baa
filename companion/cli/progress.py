"""`companion progress`: sessions per week, intensities over time, skills that helped, urges."""

from __future__ import annotations

import io
import json
from argparse import Namespace, _SubParsersAction
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from companion.cli.output import write_private
from companion.data.names import display, format_number
from companion.errors import UsageError
from companion.journal import progress
from companion.journal.history import Journal
from companion.journal.practice_render import summary_lines
from companion.journal.practices import practice_summary

WIDTH = 48
"""Most characters a sparkline takes; longer histories are averaged into this many."""
PLOT_HINT = ("Drawing a picture needs matplotlib, which is not installed. Install it with "
             "`pip install matplotlib` (in companion's environment); the tables without "
             "--plot need nothing extra.")


def register(sub: _SubParsersAction) -> None:
    p = sub.add_parser("progress", help="your progress over time: intensities, skills, urges",
                       description="Sessions per week, emotion and urge intensity over time, "
                       "the skills used most and how much they helped (from reflections), and "
                       "urges acted on or not.")
    p.add_argument("--since", metavar="DATE", help="only sessions from this day on (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the charts to FILE")
    p.set_defaults(handler=handle)


def handle(args: Namespace, ctx: Any) -> int:
    from companion.cli.options import now

    day = progress.parse_since(args.since, now().date()) if args.since else None
    if args.plot is not None and not plotting_available():
        raise UsageError(PLOT_HINT)
    from companion.dialog.summary import own_meanings

    data = progress.report(progress.since(Journal(ctx.home).records(), day), own_meanings)
    data["practices"] = practice_summary(ctx.home, day)
    if args.plot is not None:
        draw(data, args.plot)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2), file=ctx.stdout)
    else:
        print(render(data, day), file=ctx.stdout)
        if args.plot is not None:
            print(f"\nCharts saved to {args.plot}", file=ctx.stdout)
    return 0


def render(data: dict[str, Any], day: Any = None) -> str:
    """The report as terminal tables and sparklines."""
    practised = summary_lines(data.get("practices", []))
    if not data["sessions"]:
        empty = f"No sessions since {day}." if day else \
            "No sessions yet. Start one with `companion prepare`."
        return "\n".join([empty, "", *practised]).rstrip()
    count = data["sessions"]
    head = (f"{count} session{'s' if count != 1 else ''}, {data['first']} to {data['last']} "
            f"({data['complete']} complete, {data['reflected']} with a reflection)")
    lines = [head, ""]
    weeks = [w["sessions"] for w in data["weeks"]]
    if weeks:
        lines.append(f"{'Sessions per week':<20}{_spark(weeks, None)}  {data['weeks'][0]['week']}"
                     f" to {data['weeks'][-1]['week']}, at most {max(weeks)} a week")
    for label, key in (("Emotion intensity", "emotion_intensity"),
                       ("Urge intensity", "urge_intensity")):
        lines.append(_intensity_line(label, data[key], data[f"{key}_average"]))
    lines += ["", *_named_table("Emotions named", data["emotions_named"]),
              "", *_named_table("Urges named", data["urges_named"]),
              "", *_skill_table(data["skills"]), "", *_urge_table(data), "", *practised]
    return "\n".join(lines).rstrip()


def _spark(values: list[float], scale: tuple[float, float] | None) -> str:
    squeezed = progress.squeeze(values, WIDTH)
    lo, hi = scale if scale else (None, None)
    return progress.sparkline(squeezed, lo, hi)


def _intensity_line(label: str, points: list[dict[str, Any]], average: float | None) -> str:
    if not points:
        return f"{label:<20}(no numbers given yet)"
    values = [p["value"] for p in points]
    return (f"{label:<20}{_spark(values, progress.SCALE)}  average {_one(average)}/10;"
            f" first {format_number(values[0])}, latest {format_number(values[-1])}")


def _skill_table(skills: list[dict[str, Any]]) -> list[str]:
    if not skills:
        return ["Skills: none named yet."]
    lines = [f"{'Skills used most':<36}{'sessions':>8}  helped (0-10)"]
    for row in skills[:10]:
        helped = "-" if row["average_help"] is None else \
            f"{_one(row['average_help'])} ({row['ratings']} rating" \
            f"{'s' if row['ratings'] != 1 else ''})"
        lines.append(f"  {display('skills', row['skill'])[:33]:<34}{row['sessions']:>8}  {helped}")
    return lines


def _named_table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    """Emotions or urges in the client's words when the vocabulary does not know them."""
    if not rows:
        return [f"{title}: none yet."]
    lines = [f"{title:<36}{'sessions':>8}  average (0-10)"]
    for row in rows[:10]:
        lines.append(f"  {_fit(row['name'], 33):<34}{row['sessions']:>8}  {_one(row['average'])}")
    return lines


def _urge_table(data: dict[str, Any]) -> list[str]:
    """One row per urge asked about; a total only when there is more than one row."""
    if not data["urges"]:
        return ["Urges after the call: no reflections about urges yet (`companion reflect`)."]
    lines = [f"{'Urges after the call':<36}{'acted on':>8}  did not act"]
    for row in data["urges"]:
        lines.append(f"  {_fit(row['name'], 33):<34}{row['acted']:>8}  {row['resisted']}")
    if len(data["urges"]) > 1:
        total = data["urges_total"]
        lines.append(f"  {'all urges':<34}{total['acted']:>8}  {total['resisted']}")
    return lines


def _fit(text: str, width: int) -> str:
    """A table cell: whole words that fit, then "…" (the full words are in --json)."""
    if len(text) <= width:
        return text
    return text[:width - 1].rsplit(" ", 1)[0] + "…"


def _one(value: float | None) -> str:
    """One decimal at most: 5.12 -> '5.1', 6.0 -> '6'."""
    return "-" if value is None else format_number(round(value, 1))


def plotting_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw(data: dict[str, Any], path: Path) -> None:
    """The same numbers as three charts in one PNG (matplotlib, imported only here)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates, pyplot, ticker

    figure, (weeks, levels, skills) = pyplot.subplots(3, 1, figsize=(8, 9))
    weeks.bar([date.fromisoformat(w["start"]) + timedelta(days=3) for w in data["weeks"]],
              [w["sessions"] for w in data["weeks"]], width=6)
    weeks.set_title("Sessions per week")
    weeks.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    weeks.set_ylim(0, max([w["sessions"] for w in data["weeks"]], default=0) + 1)
    for key, label in (("emotion_intensity", "emotion"), ("urge_intensity", "urge")):
        points = data[key]
        levels.plot([date.fromisoformat(p["date"]) for p in points],
                    [p["value"] for p in points], marker="o" if len(points) < 60 else "",
                    label=label)
    levels.set_ylim(0, 10.5)
    levels.set_title("Intensity at each session (0-10)")
    levels.legend()
    first, last = date_range(data)
    for axes in (weeks, levels):
        axes.set_xlim(first, last)
        axes.xaxis.set_major_locator(dates.AutoDateLocator(minticks=3, maxticks=8))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m-%d"))
        axes.tick_params(axis="x", labelrotation=30)
    rated = [s for s in data["skills"] if s["average_help"] is not None][:10]
    skills.barh([display("skills", s["skill"]) for s in rated],
                [s["average_help"] for s in rated])
    skills.set_xlim(0, 10)
    skills.set_title("How much skills helped (average, 0-10)")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    write_private(path, buffer.getvalue())


def date_range(data: dict[str, Any]) -> tuple[date, date]:
    """The days the charts span: the weeks with sessions, widened to at least two weeks so one
    day or one week of sessions gets a sensible axis instead of a span of years."""
    weeks = [date.fromisoformat(w["start"]) for w in data["weeks"]]
    if not weeks:
        today = date.today()
        return today - timedelta(days=7), today + timedelta(days=7)
    first, last = min(weeks), max(weeks) + timedelta(days=7)
    spare = timedelta(days=max(14 - (last - first).days, 0) // 2)
    return first - spare, last + spare

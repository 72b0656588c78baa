"""Progress arithmetic on a small hand-checked journal, and on none, one and hundreds of sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from companion.cli.progress import render
from companion.errors import UsageError
from companion.journal import progress


def session(sid, started_at, *, intensity=None, urge_intensity=None, tried=None,
            reflection=None, skipped=()):
    answers = {}
    if intensity is not None:
        answers["intensity"] = {"kind": "intensity", "text": str(intensity),
                                "intensity": intensity, "skipped": False}
    if urge_intensity is not None:
        answers["urge_intensity"] = {"kind": "intensity", "text": "x",
                                     "intensity": urge_intensity, "skipped": False}
    if tried is not None:
        answers["skills_tried"] = {"kind": "skills", "text": "x", "skills": tried,
                                   "skipped": False}
    for field in skipped:
        answers[field] = {"kind": "free", "text": "", "skipped": True}
    record = {"schema_version": 1, "id": sid, "started_at": started_at, "answers": answers,
              "prompts": [], "complete": True, "status": "complete"}
    if reflection is not None:
        record["reflection"] = {"complete": True, **reflection}
    return record


# Four sessions, worked out by hand below.
JOURNAL = [
    session("aaaaaa", "2026-11-02T20:00:00+00:00", intensity=8, urge_intensity=7,
            tried=["tipp"],
            reflection={"skills": ["tipp", "stop"], "helped": {"tipp": 6, "stop": 2},
                        "urges": {"self_harm": {"acted": False}}}),
    session("bbbbbb", "2026-11-04T21:00:00+00:00", intensity=6, skipped=("skills_tried",),
            reflection={"skills": ["tipp"], "helped": {"tipp": 8},
                        "urges": {"any": {"acted": True}}}),
    session("cccccc", "2026-11-18T09:00:00+00:00", urge_intensity=3, tried=["self_soothe"],
            skipped=("intensity",)),
    # Sunday 23:30 in New York is already Monday in UTC: the client's own week counts.
    session("dddddd", "2026-11-22T23:30:00-05:00", intensity=4,
            reflection={"skills": ["tipp", "self_soothe"],
                        "helped": {"tipp": None, "self_soothe": 10},
                        "urges": {"self_harm": {"acted": True}, "aggression": {"acted": None}}}),
]


def test_sessions_per_week_counts_empty_weeks_and_local_dates():
    assert progress.sessions_per_week(list(reversed(JOURNAL))) == [
        {"week": "2026-W45", "start": "2026-11-02", "sessions": 2},
        {"week": "2026-W46", "start": "2026-11-09", "sessions": 0},
        {"week": "2026-W47", "start": "2026-11-16", "sessions": 2},
    ]


def test_intensity_series_oldest_first_and_skips_skipped_answers():
    assert [p["value"] for p in progress.series(JOURNAL, "intensity")] == [8, 6, 4]
    assert [p["id"] for p in progress.series(JOURNAL, "urge_intensity")] == ["aaaaaa", "cccccc"]
    data = progress.report(JOURNAL)
    assert data["emotion_intensity_average"] == 6.0  # (8 + 6 + 4) / 3
    assert data["urge_intensity_average"] == 5.0  # (7 + 3) / 2


def test_skills_used_most_and_how_much_they_helped():
    assert progress.skill_stats(JOURNAL) == [
        # tipp: tried in aaaaaa, used in aaaaaa, bbbbbb, dddddd (unrated there): 3 sessions
        {"skill": "tipp", "sessions": 3, "ratings": 2, "average_help": 7.0},
        # self_soothe: tried in cccccc, used and rated 10 in dddddd
        {"skill": "self_soothe", "sessions": 2, "ratings": 1, "average_help": 10.0},
        {"skill": "stop", "sessions": 1, "ratings": 1, "average_help": 2.0},
    ]


def test_urges_acted_on_versus_resisted():
    data = progress.report(JOURNAL)
    assert data["urges"] == [
        {"urge": "self_harm", "name": "hurt myself", "acted": 1, "resisted": 1, "unknown": 0},
        {"urge": "any", "name": "any urge", "acted": 1, "resisted": 0, "unknown": 0},
        {"urge": "aggression", "name": "lash out", "acted": 0, "resisted": 0, "unknown": 1},
    ]
    assert data["urges_total"] == {"acted": 2, "resisted": 1, "unknown": 1}
    assert (data["sessions"], data["reflected"], data["first"], data["last"]) == \
        (4, 3, "2026-11-02", "2026-11-22")


def test_since_uses_the_sessions_own_date():
    kept = progress.since(JOURNAL, date(2026, 11, 18))
    assert [r["id"] for r in kept] == ["cccccc", "dddddd"]
    assert progress.since(JOURNAL, None) == JOURNAL


def test_zero_sessions():
    data = progress.report([])
    assert data["sessions"] == 0 and data["weeks"] == [] and data["skills"] == []
    assert data["emotion_intensity_average"] is None and data["first"] is None
    assert render(data) == "No sessions yet. Start one with `companion prepare`."
    assert render(data, date(2026, 1, 1)) == "No sessions since 2026-01-01."


def test_one_session():
    data = progress.report(JOURNAL[:1])
    assert data["weeks"] == [{"week": "2026-W45", "start": "2026-11-02", "sessions": 1}]
    text = render(data)
    assert "1 session, 2026-11-02 to 2026-11-02" in text
    assert "average 8/10; first 8, latest 8" in text


def test_hundreds_of_sessions_add_up_and_fit_the_terminal():
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    many = [session(f"{i:06x}", (start + timedelta(hours=31 * i)).isoformat(),
                    intensity=i % 11, urge_intensity=(i * 3) % 11,
                    reflection={"skills": ["tipp"], "helped": {"tipp": i % 11},
                                "urges": {"any": {"acted": i % 4 == 0}}})
            for i in range(600)]
    data = progress.report(many)
    assert sum(w["sessions"] for w in data["weeks"]) == 600
    assert len(data["emotion_intensity"]) == 600
    assert data["emotion_intensity_average"] == pytest.approx(
        sum(i % 11 for i in range(600)) / 600, abs=0.01)
    assert data["urges_total"] == {"acted": 150, "resisted": 450, "unknown": 0}
    for line in render(data).splitlines():
        assert len(line) < 120


@pytest.mark.parametrize("values, lo, hi, expected", [
    ([0, 5, 10], 0, 10, "▁▅█"),
    ([0, 10, None, 7], 0, 10, "▁█ ▆"),
    ([3, 3, 3], None, None, "███"),   # counts scale from zero
    ([0, 0], None, None, "▁▁"),
    ([], None, None, ""),
    ([None], None, None, " "),
    ([12, -1], 0, 10, "█▁"),          # out-of-range values are clamped
])
def test_sparkline(values, lo, hi, expected):
    assert progress.sparkline(values, lo, hi) == expected


def test_squeeze_averages_runs():
    assert progress.squeeze([1, 3, 5, 7], 2) == [2, 6]
    assert progress.squeeze([1, 2], 10) == [1, 2]
    assert len(progress.squeeze(list(range(1000)), 48)) == 48


@pytest.mark.parametrize("value, expected", [
    (7, 7.0), (0, 0.0), (10, 10.0), (6.5, 6.5), (True, None), (11, None), (-1, None),
    ("7", None), (None, None),
])
def test_number_accepts_only_ratings(value, expected):
    assert progress.number(value) == expected


@pytest.mark.parametrize("text, message", [
    ("2030-01-01", "in the future"),
    ("last tuesday", "not a date"),
    ("2026-13-01", "not a date"),
])
def test_parse_since_rejects(text, message):
    with pytest.raises(UsageError, match=message):
        progress.parse_since(text, date(2026, 11, 26))


def test_parse_since_accepts_today_and_the_past():
    assert progress.parse_since(" 2026-11-26 ", date(2026, 11, 26)) == date(2026, 11, 26)
    assert progress.parse_since("2020-02-29", date(2026, 11, 26)) == date(2020, 2, 29)


def test_bad_data_in_a_record_is_ignored_not_fatal():
    odd = session("eeeeee", "2026-11-03T10:00:00+00:00")
    odd["answers"]["intensity"] = {"intensity": "very", "skipped": False}
    odd["reflection"] = {"helped": ["not", "a", "table"], "urges": "nope", "skills": None}
    undated = session("ffffff", "yesterday", intensity=5)
    data = progress.report([odd, undated, *JOURNAL])
    assert data["sessions"] == 6
    assert [p["value"] for p in data["emotion_intensity"]] == [8, 6, 4]


def said(sid, started_at, urges, rating, *, ids=(), emotions="", emotion_ids=(), acted=None):
    """A session whose urges answer the vocabulary may not know, with a reflection on it."""
    record = session(sid, started_at, urge_intensity=rating)
    record["answers"]["urges"] = {"kind": "urges", "text": urges, "urges": list(ids),
                                  "skipped": False}
    if emotions:
        record["answers"]["emotions"] = {"kind": "emotions", "text": emotions,
                                         "emotions": list(emotion_ids), "skipped": False}
    key = ids[0] if ids else "any"
    record["reflection"] = {"complete": True, "urges": {key: {"acted": acted}}}
    return record


def test_one_reflection_is_one_urge_row_in_the_clients_words():
    from companion.dialog.summary import own_meanings

    data = progress.report([said("eeeeee", "2026-11-02T20:00:00+00:00",
                                 "to text him like forty times", 8, acted=False)], own_meanings)
    assert data["urges"] == [{"urge": "any", "name": "text him forty times",
                              "acted": 0, "resisted": 1, "unknown": 0}]
    assert data["urges_named"] == [{"name": "text him forty times", "id": None, "sessions": 1,
                                    "average": 8.0}]
    text = render(data)
    assert "text him forty times" in text and "any urge" not in text
    assert "all urges" not in text  # one reflection, one row: no total to repeat it


def test_known_and_unknown_urges_and_emotions_each_get_a_row_with_ratings():
    from companion.dialog.summary import own_meanings

    journal = [said("aaaaaa", "2026-11-02T20:00:00+00:00", "i want to get drunk and text my ex",
                    6, ids=["substance_use"], emotions="humiliated and small",
                    emotion_ids=["shame"], acted=True),
               said("bbbbbb", "2026-11-03T20:00:00+00:00", "drink", 8, ids=["substance_use"],
                    acted=False)]
    data = progress.report(journal, own_meanings)
    assert data["urges_named"] == [
        {"name": "drink or use", "id": "substance_use", "sessions": 2, "average": 7.0},
        {"name": "text my ex", "id": None, "sessions": 1, "average": 6.0}]
    assert {r["name"] for r in data["emotions_named"]} == {"ashamed", "small"}
    assert data["urges"] == [{"urge": "substance_use", "name": "drink or use", "acted": 1,
                              "resisted": 1, "unknown": 0}]
    text = render(data)
    assert "text my ex" in text and "Urges named" in text and "Emotions named" in text
    assert "all urges" not in text


def test_without_the_words_helper_only_categories_are_counted():
    data = progress.report([said("aaaaaa", "2026-11-02T20:00:00+00:00", "text him", 8)])
    assert data["urges_named"] == []
    assert data["urges"][0]["name"] == "text him"  # the reflection names it in their words


@pytest.mark.parametrize("starts", [
    ["2026-11-02T09:00:00+00:00", "2026-11-02T12:00:00+00:00", "2026-11-02T20:00:00+00:00"],
    ["2026-11-02T09:00:00+00:00", "2026-11-04T12:00:00+00:00", "2026-11-07T20:00:00+00:00"],
])
def test_one_day_or_one_week_gets_a_sensible_chart_range(starts):
    from companion.cli.progress import date_range

    data = progress.report([session(f"{i:06x}", s, intensity=5) for i, s in enumerate(starts)])
    first, last = date_range(data)
    assert date(2026, 10, 25) <= first <= date(2026, 11, 2) <= date(2026, 11, 8) <= last
    assert (last - first).days <= 21

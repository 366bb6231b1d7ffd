"""Time preferences in the hospital time zone."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from actions.timeparse import parse_time_preference

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=TZ)  # a Wednesday


def parse(text):
    return parse_time_preference(text, NOW, "Europe/London")


def test_timeparse_tomorrow_is_the_whole_next_day():
    pref = parse("tomorrow")
    assert pref.earliest == datetime(2026, 12, 3, 0, 0, tzinfo=TZ)
    assert pref.latest == datetime(2026, 12, 4, 0, 0, tzinfo=TZ)


def test_timeparse_next_tuesday():
    assert parse("next tuesday").earliest.date().isoformat() == "2026-12-08"


def test_timeparse_next_wednesday_skips_today():
    assert parse("next wednesday").earliest.date().isoformat() == "2026-12-09"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday at two thirty", datetime(2026, 12, 7, 14, 30, tzinfo=TZ)),
        ("monday at 2:30pm", datetime(2026, 12, 7, 14, 30, tzinfo=TZ)),
        ("friday half past two", datetime(2026, 12, 4, 14, 30, tzinfo=TZ)),
        ("thursday quarter to ten", datetime(2026, 12, 3, 9, 45, tzinfo=TZ)),
        ("2026-12-10 09:30", datetime(2026, 12, 10, 9, 30, tzinfo=TZ)),
        ("tomorrow at noon", datetime(2026, 12, 3, 12, 0, tzinfo=TZ)),
    ],
)
def test_timeparse_clock_times_target_the_time(text, expected):
    pref = parse(text)
    assert pref.exact and pref.target == expected
    assert pref.contains(expected)


def test_timeparse_9am_after_nine_means_tomorrow():
    assert parse("9am").target == datetime(2026, 12, 3, 9, 0, tzinfo=TZ)


def test_timeparse_11am_today():
    assert parse("11am").target == datetime(2026, 12, 2, 11, 0, tzinfo=TZ)


def test_timeparse_this_afternoon():
    pref = parse("this afternoon")
    assert pref.earliest.time() == time(12, 0) and pref.latest.time() == time(17, 0)
    assert pref.earliest.date() == NOW.date()


def test_timeparse_iso_date():
    pref = parse("2026-12-10")
    assert pref.earliest == datetime(2026, 12, 10, tzinfo=TZ)


def test_timeparse_uses_hospital_zone_for_utc_now():
    utc_now = datetime(2026, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 BST on July 2
    pref = parse_time_preference("today", utc_now, "Europe/London")
    assert pref is not None
    assert pref.earliest.date().isoformat() == "2026-07-02"


def test_timeparse_asap_starts_now():
    assert parse("as soon as possible").target == NOW


@pytest.mark.parametrize("text", ["", None, "the usual", "bed 12", "2026-13-45"])
def test_timeparse_unknown_returns_none(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3rd march at half nine", datetime(2027, 3, 3, 9, 30, tzinfo=TZ)),
        ("on the 12th at 10am", datetime(2026, 12, 12, 10, 0, tzinfo=TZ)),
        ("next wednesday at 10", datetime(2026, 12, 9, 10, 0, tzinfo=TZ)),
        ("tomorrow at ten", datetime(2026, 12, 3, 10, 0, tzinfo=TZ)),
        ("at 3 pm tomorrow", datetime(2026, 12, 3, 15, 0, tzinfo=TZ)),
    ],
)
def test_timeparse_spoken_british_forms(text, expected):
    assert parse(text).target == expected


def test_timeparse_the_1st_rolls_to_next_month():
    assert parse("the 1st").earliest.date().isoformat() == "2027-01-01"


def test_timeparse_in_two_weeks_is_a_working_week():
    pref = parse("in two weeks")
    assert pref.earliest.date().isoformat() == "2026-12-16"
    assert pref.latest.date().isoformat() == "2026-12-21"


def test_timeparse_tomorrow_morning():
    pref = parse("tomorrow morning")
    assert pref.earliest == datetime(2026, 12, 3, 8, 0, tzinfo=TZ)
    assert pref.latest == datetime(2026, 12, 3, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "text", ["2 weeks", "two weeks", "a fortnight", "in a fortnight", "2 weeks' time"]
)
def test_timeparse_weeks_ahead_without_in_are_that_many_weeks_on(text):
    # NLU tags "2 weeks" out of "book a follow up in 2 weeks"
    pref = parse(text)
    assert pref is not None and pref.earliest.date().isoformat() == "2026-12-16"


@pytest.mark.parametrize("text", ["3 days time", "3 days from now", "in 3 days"])
def test_timeparse_days_ahead_need_in_or_time(text):
    assert parse(text).earliest.date().isoformat() == "2026-12-05"


@pytest.mark.parametrize("text", ["3 days", "for 2 days"])
def test_timeparse_bare_days_are_no_time(text):
    assert parse(text) is None

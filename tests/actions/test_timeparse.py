"""Time preferences in the hospital time zone."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from actions.timeparse import parse_time_preference, says_only_time
from actions.timespan import time_in, whole_time

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


# Thu 3 Dec 2026, late morning: what staff type when booking
THU = datetime(2026, 12, 3, 11, 26, tzinfo=TZ)


def on_thursday(text):
    return parse_time_preference(text, THU, "Europe/London")


def day_of(text):
    pref = on_thursday(text)
    return None if pref is None else pref.target.date().isoformat()


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("next tues", "2026-12-08"),
        ("tues", "2026-12-08"),
        ("on weds", "2026-12-09"),
        ("next wed morning", "2026-12-09"),
        ("mon", "2026-12-07"),
        ("next thurs", "2026-12-10"),
        ("thurs next week", "2026-12-10"),
        ("thursday next week", "2026-12-10"),
        ("fri next week", "2026-12-11"),
        ("tmrw", "2026-12-04"),
        ("tomorow afternoon", "2026-12-04"),
        ("on sat", "2026-12-05"),
    ],
)
def test_timeparse_abbreviations_and_week_qualifiers_name_the_day(text, day):
    assert day_of(text) == day


def test_timeparse_abbreviated_day_keeps_its_clock_time():
    pref = on_thursday("next tues 10am")
    assert pref.exact and pref.target == datetime(2026, 12, 8, 10, 0, tzinfo=TZ)


def test_timeparse_next_wed_morning_is_not_this_morning():
    pref = on_thursday("next wed morning")
    assert pref.earliest == datetime(2026, 12, 9, 8, 0, tzinfo=TZ)
    assert pref.latest == datetime(2026, 12, 9, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("fri pm", time(12, 0), time(17, 0)), ("fri am", time(8, 0), time(12, 0))],
)
def test_timeparse_am_pm_after_a_day_is_that_part_of_the_day(text, start, end):
    pref = on_thursday(text)
    assert pref.earliest == datetime.combine(datetime(2026, 12, 4), start, TZ)
    assert pref.latest == datetime.combine(datetime(2026, 12, 4), end, TZ)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("on 24 December", "2026-12-24"),
        ("on 24th dec", "2026-12-24"),
        ("24th of december", "2026-12-24"),
        ("dec 24", "2026-12-24"),
        ("on 24/12", "2026-12-24"),
        ("24/12/2026", "2026-12-24"),
        ("4/1", "2027-01-04"),  # UK: day first
        ("on the 14th", "2026-12-14"),
        ("christmas day", "2026-12-25"),
        ("christmas eve", "2026-12-24"),
        ("new year's day", "2027-01-01"),
        ("Tue 8 Dec", "2026-12-08"),
    ],
)
def test_timeparse_dates_in_words_and_numbers_name_that_day(text, day):
    assert day_of(text) == day


def test_timeparse_date_with_a_clock_time_targets_both():
    pref = on_thursday("on 24 December at 9")
    assert pref.exact and pref.target == datetime(2026, 12, 24, 9, 0, tzinfo=TZ)


def test_timeparse_offered_slot_title_is_that_slot_time():
    pref = on_thursday("Tue 8 Dec at 10:00")
    assert pref.exact and pref.target == datetime(2026, 12, 8, 10, 0, tzinfo=TZ)


def test_timeparse_date_then_part_of_day_stays_on_that_date():
    pref = on_thursday("24th dec morning")
    assert pref.earliest == datetime(2026, 12, 24, 8, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "text",
    ["31/02", "on 31/02 at 9", "30th february", "2026-02-30", "13/13", "wed 8 dec", "1/12/2026"],
)
def test_timeparse_impossible_or_past_dates_are_not_understood(text):
    # never read as some other day: the time check says it did not catch the time
    assert on_thursday(text) is None


def test_timeparse_date_passed_this_year_is_next_years():
    assert day_of("2 dec") == "2027-12-02"


def test_timeparse_asap_is_from_now():
    pref = on_thursday("asap")
    assert pref.earliest == THU and not pref.exact


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", "2026-12-03"),
        ("tomorrow", "2026-12-04"),
        ("next tuesday", "2026-12-08"),
        ("next thursday", "2026-12-10"),
        ("thursday", "2026-12-03"),
        ("friday at 2", "2026-12-04"),
        ("9am", "2026-12-04"),
        ("next week", "2026-12-07"),
        ("in 2 weeks", "2026-12-17"),
    ],
)
def test_timeparse_working_forms_unchanged(text, day):
    assert day_of(text) == day


def test_timeparse_todays_weekday_said_in_the_afternoon_is_next_weeks():
    # "make it thursday" on a Thursday afternoon offered what was left of today (the
    # clinics over: nothing, or the nearest other day); in the morning it is still today
    afternoon = THU.replace(hour=16, minute=40)
    pref = parse_time_preference("thursday", afternoon, "Europe/London")
    assert pref is not None and pref.target.date().isoformat() == "2026-12-10"
    this = parse_time_preference("this thursday", afternoon, "Europe/London")
    assert this is not None and this.target.date().isoformat() == "2026-12-03"
    assert day_of("thursday") == "2026-12-03"  # (11:26)


@pytest.mark.parametrize("text", ["may I", "sat", "the sun", "Mary Smith", "mark"])
def test_timeparse_words_that_only_look_like_days_are_no_time(text):
    assert on_thursday(text) is None


@pytest.mark.parametrize(
    "text", ["next tues 10am", "Tue 8 Dec at 10:00", "on 24/12", "tmrw", "christmas day"]
)
def test_says_only_time_reads_abbreviations_and_dates(text):
    assert says_only_time(text, THU, "Europe/London")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("book Mary Smith 10004821 into cardiology next tues 10am", "next tues 10am"),
        ("book Mary Smith 10004821 cardiology asap", "asap"),
        ("book Mary 10004821 on the 14th please", "on the 14th"),
        ("book 10004821 on 24 December at 9", "on 24 December at 9"),
        ("book 1000 4821 tmrw", "tmrw"),
        ("book it on 31/02", "on 31/02"),  # said, so the time check explains the miss
        ("book an appointment for Jane Morning 10004821", None),
        ("cardiology appointment for Mary Smith", None),
    ],
)
def test_timespan_time_in_finds_the_time_said_in_a_request(text, said):
    assert time_in(text, THU, "Europe/London") == said


def test_timespan_whole_time_widens_a_partly_tagged_time():
    text = "book Mary next tues 10am please"
    assert whole_time("10am", text, THU, "Europe/London") == "next tues 10am"
    assert whole_time(None, "book Mary Smith", THU, "Europe/London") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("put Kerry Demir 10001575 into the 12:00 ent slot friday", "friday at 12:00"),
        ("the 3pm slot on monday please", "on monday at 3pm"),
        ("book Kerry in ent tomorrow, she is in bed 12", "tomorrow"),  # 12: no clock time
    ],
)
def test_timespan_a_day_and_a_clock_time_said_apart_are_that_day_at_that_time(text, said):
    assert time_in(text, THU, "Europe/London") == said


def test_timespan_whole_time_joins_the_clock_time_said_apart_to_the_tagged_day():
    text = "put Kerry Demir 10001575 into the 12:00 ent slot friday"
    assert whole_time("friday", text, THU, "Europe/London") == "friday at 12:00"


@pytest.mark.parametrize(
    ("said", "earliest", "latest"),
    [
        (
            "after 3pm on tuesday",
            datetime(2026, 12, 8, 15, 0, tzinfo=TZ),
            datetime(2026, 12, 9, 0, 0, tzinfo=TZ),
        ),
        (
            "tuesday after 3pm",
            datetime(2026, 12, 8, 15, 0, tzinfo=TZ),
            datetime(2026, 12, 9, 0, 0, tzinfo=TZ),
        ),
        (
            "before 11am on friday",
            datetime(2026, 12, 4, 0, 0, tzinfo=TZ),
            datetime(2026, 12, 4, 11, 0, tzinfo=TZ),
        ),
        (
            "not before 2pm tomorrow",
            datetime(2026, 12, 3, 14, 0, tzinfo=TZ),
            datetime(2026, 12, 4, 0, 0, tzinfo=TZ),
        ),
    ],
)
def test_timeparse_after_or_before_a_clock_time_bounds_the_day(said, earliest, latest):
    # "any free derm slots after 3pm on tuesday" showed 09:00, 11:00 (nearest to 15:00
    # at best, earlier ones included)
    pref = parse(said)
    assert pref is not None and not pref.exact
    assert (pref.earliest, pref.latest) == (earliest, latest)

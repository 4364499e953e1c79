"""The period grammar (qfin_docs/facts/periods.py): every form of a day it reads, the words for a period's
length, the periods a text names, and the printing it shares its month names with.  Fixtures are made up here."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from qfin_docs.facts.periods import (Calendar, DAY, calendar_of, date_text, days_in, ending, fiscal_year, headed_period,
                                     length_words, listed_periods, months_named, named_period, period_hint,
                                     period_lists, period_text, quarter, read_day, single_periods, snap)
from qfin_docs.model import Period

JUNE_30 = dt.date(2024, 6, 30)

# Every form of a day the code read before the grammar was one module: a form dropped fails its own case.
DAY_FORMS = [
    ("June 30, 2024", JUNE_30),          # drafts, context, filings
    ("Jun 30, 2024", JUNE_30),           # a filing's column heading ("Year Ended Jan 26, 2025")
    ("Jun. 30, 2024", JUNE_30),
    ("Sept. 30, 2024", dt.date(2024, 9, 30)),     # the wire services' style, which strptime's %b never read
    ("Sep 30, 2024", dt.date(2024, 9, 30)),
    ("June 30 2024", JUNE_30),           # a draft's heading "Three months ended June 30" over a year column
    ("30 June 2024", JUNE_30),           # a UK filing's dei:DocumentPeriodEndDate
    ("2024-06-30", JUNE_30),             # an ISO dei:DocumentPeriodEndDate
    ("june  30,\u00a02024", JUNE_30),    # any case, any white space
    ("May 1, 2024", dt.date(2024, 5, 1)),
]


@pytest.mark.parametrize("text, day", DAY_FORMS)
def test_each_form_of_a_day_is_read(text, day):
    assert read_day(text) == day


@pytest.mark.parametrize("text", ["February 30, 2024", "Junk 30, 2024", "June 2024", "30/06/2024", "", "Q2 2024"])
def test_what_is_not_a_day_reads_as_none(text):
    assert read_day(text) is None


def test_the_days_a_text_names_are_found_in_order():
    text = "Balances as of Dec. 31, 2023 and as of Sept. 30, 2024; not 2024-06-30 nor 30 June 2024."
    assert days_in(text) == [dt.date(2023, 12, 31), dt.date(2024, 9, 30)]      # month first, in full only


def test_what_the_grammar_prints_it_reads_back():
    for day in (dt.date(2024, 1, 31), dt.date(2024, 9, 3), dt.date(2025, 12, 1)):
        for style in ("long", "short"):
            assert read_day(date_text(day, style)) == day, (day, style)
    assert period_text(quarter(2, 2024), "quarter") == "second quarter of 2024"
    assert named_period("in the " + period_text(quarter(3, 2024), "quarter"), Calendar(JUNE_30)) == quarter(3, 2024)


def test_the_words_for_a_period_length_are_data():
    assert length_words()["six"] == 6 and length_words()["year"] == 12 and length_words()["quarter"] == 3
    assert months_named("Nine Months Ended Sept. 30, 2024") == 9
    assert months_named("Year Ended Jan 26, 2025") == 12
    assert months_named("September 30, 2024") is None
    assert months_named("Three and Six Months Ended") is None     # two lengths name none


def test_calendar_periods():
    assert quarter(1, 2024) == Period(dt.date(2024, 3, 31), dt.date(2024, 1, 1))
    assert quarter(4, 2024) == Period(dt.date(2024, 12, 31), dt.date(2024, 10, 1))
    assert ending(JUNE_30, 6) == Period(JUNE_30, dt.date(2024, 1, 1))
    assert ending(dt.date(2024, 2, 29), 3) == Period(dt.date(2024, 2, 29), dt.date(2023, 12, 1))


def test_a_period_is_named_from_text():
    calendar = Calendar(JUNE_30)
    assert named_period("Revenue for the second quarter of 2023 was", calendar) == quarter(2, 2023)
    assert named_period("In the third quarter, revenue", calendar) == quarter(3, 2024)     # the calendar's year
    assert named_period("As of Sept. 30, 2024, cash was", calendar) == Period(dt.date(2024, 9, 30))
    assert named_period("For the first half of 2024, income", calendar) == ending(JUNE_30, 6)
    assert named_period("Revenue was", calendar) is None
    assert listed_periods("As of December 31, 2023 and June 30, 2024, cash")
    assert not listed_periods("As of June 30, 2024, cash")


def test_the_words_after_a_figure_test_its_period():
    calendar = Calendar(JUNE_30)
    assert period_hint(" in the prior quarter", calendar)(quarter(1, 2024))
    assert period_hint(" in the same period of 2023", calendar)(quarter(2, 2023))
    assert period_hint(" a year ago", calendar)(Period(dt.date(2023, 6, 30)))
    assert period_hint(" for the first half of 2024", calendar)(ending(JUNE_30, 6))
    assert period_hint(" in the fourth quarter of 2023", calendar)(quarter(4, 2023))
    assert period_hint(" as of Sept. 30, 2023", calendar)(Period(dt.date(2023, 9, 30)))
    assert period_hint(" of revenue", calendar) is None


def test_periods_snap_to_the_fiscal_periods_a_document_has():
    # a 52-53 week year: quarters end on the last Sunday of the month, not on its last day
    q3 = Period(dt.date(2024, 10, 27), dt.date(2024, 7, 29))
    year = Period(dt.date(2025, 1, 26), dt.date(2024, 1, 29))
    periods = Counter({q3: 5, year: 9, Period(dt.date(2024, 10, 27)): 3})
    assert snap(dt.date(2024, 10, 31), 3, periods) == q3
    assert snap(dt.date(2023, 10, 31), 3, periods) == ending(dt.date(2023, 10, 31), 3)    # none: whole months
    assert fiscal_year(2025, periods) == year
    text = "Revenue was $5 and $7 for the three months ended Oct. 31, 2023 and 2024, and $9 in fiscal year 2025."
    lists = period_lists(text, 0, len(text), periods)
    assert [listed for _, _, listed in lists] == [[ending(dt.date(2023, 10, 31), 3), q3]]
    assert [p for _, _, p in single_periods(text, 0, len(text), periods)] == [year]


def test_a_calendar_is_what_a_document_declares():
    class Fact:
        def __init__(self, local, value):
            self.concept, self.value = type("C", (), {"local": local})(), value
    meta = {"document_period_end": "2025-01-26"}
    assert calendar_of(meta) == Calendar(dt.date(2025, 1, 26), (12, 31))
    assert calendar_of(meta, [Fact("CurrentFiscalYearEndDate", "--01-26")]).year_end == (1, 26)


def test_the_day_pattern_the_readers_find_is_month_first():
    import re
    assert re.fullmatch(DAY, "Sept. 30, 2024") and re.fullmatch(DAY, "May 1, 2024")
    assert not re.fullmatch(DAY, "30 June 2024")


def test_a_column_heading_names_its_period():
    year = Period(dt.date(2025, 1, 26), dt.date(2024, 1, 29))
    periods = Counter({year: 4, Period(dt.date(2025, 1, 26)): 2})
    assert headed_period("Year Ended Jan 26, 2025", False, periods) == year
    assert headed_period("Jan. 26, 2025", True, periods) == Period(dt.date(2025, 1, 26))
    assert headed_period("Jan. 26, 2025", False, periods) is None           # a day alone heads balances
    assert headed_period("Six Months Ended Jan 26, 2025", False, periods) is None    # no such period

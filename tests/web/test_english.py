"""The English interface is for readers in Denmark and Europe: British dates, 24-hour times."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.formats import date_format


def test_english_dates_are_british_and_danish_dates_stay_danish() -> None:
    day = dt.date(2026, 12, 2)
    with translation.override("en"):
        assert date_format(day) == "2 Dec 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "02/12/2026"
        assert (
            date_format(dt.datetime(2026, 12, 2, 14, 5), "DATETIME_FORMAT") == "2 Dec 2026, 14:05"
        )
    with translation.override("da"):
        assert date_format(day) == "2. december 2026"

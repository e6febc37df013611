"""The meeting form's Due box on Wednesday 2 December 2026 (issue 12): a day just gone and a weekend or
holiday date get a field error naming the choices; the year typed keeps this year's date, overdue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from storage.db import Database
from tests.meetings.test_meetings import (  # noqa: F401  (school: autouse)
    all_targets,
    answers,
    meetings,
    open_modal,
    school,
    submit,
)
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.people import LONDON

WEDNESDAY = datetime(2026, 12, 2, 16, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def on_2_december(school: None, clock: FakeClock) -> None:  # noqa: F811
    clock.now = WEDNESDAY


def today(**overrides: Any) -> dict[str, Any]:
    return {"held_on": "2026-12-02", **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"new_text_0": "Send the data", "new_due_0": "by 1 September"},
            "new_due_0",
            "“by 1 September” has passed (Tuesday 1 September 2026). Type “01/09/2026” in Due to keep this "
            "year's date (the target starts overdue) or “01/09/2027” for next year's.",
        ),
        (
            {"new_text_0": "Mark books for 9X2 by 30/11"},
            "new_text_0",
            "“by 30/11” has passed (Monday 30 November 2026). Type “30/11/2026”",
        ),
        (
            {"new_text_0": "Send me your reflection", "new_due_0": "5 December"},
            "new_due_0",
            "Saturday 5 December 2026 is a Saturday, not a school day. Try Friday 4 December 2026 (the last "
            "school day before) or Monday 7 December 2026 (the first after).",
        ),
        (
            {"new_text_0": "Read the EEF guidance by 24/12"},
            "new_text_0",
            "Thursday 24 December 2026 is in the school holidays, not a school day. Try Friday 18 December 2026",
        ),
    ],
)
def test_a_passed_or_holiday_due_date_is_a_field_error_naming_the_choices(
    slack: SlackDriver, db: Database, overrides: dict[str, Any], field: str, message: str
) -> None:
    view = open_modal(slack)

    reply = submit(slack, view, answers(view, **today(**overrides)))

    assert reply["response_action"] == "errors"
    assert message in reply["errors"][field]
    assert meetings(db) == [] and all_targets(db) == []


def test_typing_the_year_keeps_this_years_date_overdue(slack: SlackDriver, db: Database) -> None:
    view = open_modal(slack)

    submit(slack, view, answers(view, **today(new_text_0="Send the data", new_due_0="01/09/2026")))

    [target] = all_targets(db)
    assert (target.text, target.due_on) == ("Send the data", date(2026, 9, 1))

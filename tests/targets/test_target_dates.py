"""/target on Wednesday 2 December 2026 (issue 12): passed dates are asked about, school words are understood,
and a weekend or holiday date is flagged with the school days either side as buttons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.people import LONDON
from tests.targets.test_targets import BEN, act, ask, element, school, seen, targets  # noqa: F401  (school: autouse)

WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def on_2_december(school: None, clock: FakeClock) -> None:  # noqa: F811
    clock.now = WEDNESDAY


def mention(user: str) -> str:
    return f"<@{user}|ben>"


def no_button(message: dict[str, Any], action_id: str) -> bool:
    try:
        element(message, action_id)
    except AssertionError:
        return True
    return False


def test_a_day_just_gone_is_asked_about_and_next_years_date_is_a_choice(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Mark books for 9X2 by 30/11")

    text = seen(reply)
    assert "by 30/11 has passed" in text and "Monday 30 November 2026 was 2 days ago" in text
    assert "2027" not in text.split("Which did you mean?")[0]  # never a silent year-late date
    assert no_button(reply, "target_draft_confirm")  # no saving until a year is chosen
    keep, _ = element(reply, "target_draft_keep_passed")
    later, _ = element(reply, "target_draft_next_year")
    assert keep["text"]["text"] == "Mon 30 Nov 2026 (overdue)" and later["text"]["text"] == "Tue 30 Nov 2027"

    element(reply, "target_draft_due")  # or any other date
    chosen = act(slack, reply, "target_draft_next_year")
    assert chosen is not None and "Due Tuesday 30 November 2027" in seen(chosen)
    act(slack, chosen, "target_draft_confirm")
    [target] = targets(db)
    assert (target.text, target.due_on) == ("Mark books for 9X2", date(2027, 11, 30))


def test_this_years_date_can_be_kept_and_the_target_starts_overdue(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Send the data by 1 September")
    assert "has passed" in seen(reply)

    refused = act(slack, reply, "target_draft_due", extra={"selected_date": "2026-11-20"})
    assert refused is not None and "Friday 20 November 2026 is in the past" in seen(refused)
    assert "has passed" in seen(refused)  # still asking

    kept = act(slack, refused, "target_draft_keep_passed")

    assert kept is not None and "Due Tuesday 1 September 2026" in seen(kept)
    act(slack, kept, "target_draft_confirm")
    [target] = targets(db)
    assert (target.text, target.due_on) == ("Send the data", date(2026, 9, 1))
    assert target.is_overdue(WEDNESDAY.date())


@pytest.mark.parametrize(
    ("typed", "stored", "due"),
    [
        ("Complete the phonics assessments by the end of this half term", "Complete the phonics assessments",
         date(2026, 12, 18)),
        ("Finish the Year 9 unit by the end of autumn 2", "Finish the Year 9 unit", date(2026, 12, 18)),
        ("Mark books for 9X2 by Thursday fortnight", "Mark books for 9X2", date(2026, 12, 17)),
        ("Mark books for 9X2 a week Monday", "Mark books for 9X2", date(2026, 12, 14)),
        ("Mark books for 9X2 nxt fri", "Mark books for 9X2", date(2026, 12, 11)),
        ("Mark books for 9X2 b4 half term", "Mark books for 9X2", date(2027, 2, 12)),
        ("Use the new marking code from next term", "Use the new marking code", date(2027, 1, 4)),
        ("Observe Year 3 in the first week back", "Observe Year 3", date(2027, 1, 8)),
    ],
)  # fmt: skip
def test_school_words_are_understood_and_none_left_in_the_stored_text(
    slack: SlackDriver, db: Database, typed: str, stored: str, due: date
) -> None:
    reply = ask(slack, f"{mention(BEN)} {typed}")
    act(slack, reply, "target_draft_confirm")

    [target] = targets(db)
    assert (target.text, target.due_on) == (stored, due)


def test_a_weekend_date_is_flagged_with_the_school_days_either_side(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Send me your reflection by 5 December")

    assert "Saturday 5 December 2026 is a Saturday, not a school day" in seen(reply)
    before, _ = element(reply, "target_draft_day_before")
    after, _ = element(reply, "target_draft_day_after")
    assert (before["text"]["text"], after["text"]["text"]) == ("Fri 4 Dec (before)", "Mon 7 Dec (after)")

    moved = act(slack, reply, "target_draft_day_before")
    assert moved is not None and "Due Friday 4 December 2026" in seen(moved)
    assert "not a school day" not in seen(moved)
    act(slack, moved, "target_draft_confirm")
    [target] = targets(db)
    assert target.due_on == date(2026, 12, 4)


def test_a_holiday_date_is_flagged_and_can_still_be_kept(slack: SlackDriver, db: Database) -> None:
    reply = ask(slack, f"{mention(BEN)} Read the EEF guidance by 24/12")

    assert "Thursday 24 December 2026 is in the school holidays, not a school day" in seen(reply)
    assert "Try Friday 18 December 2026 (the last school day before) or Monday 4 January 2027" in seen(reply)
    act(slack, reply, "target_draft_confirm")  # advice only: the mentor may keep it
    [target] = targets(db)
    assert target.due_on == date(2026, 12, 24)


def test_on_the_last_day_of_term_a_fortnight_lands_in_the_holidays_and_says_so(
    slack: SlackDriver, db: Database, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 18, 15, 0, tzinfo=LONDON)  # Friday 18 December: school breaks up today
    reply = ask(slack, f"{mention(BEN)} Try the new starter within a fortnight")

    assert "Friday 1 January 2027 is in the school holidays, not a school day" in seen(reply)
    moved = act(slack, reply, "target_draft_day_after")
    assert moved is not None and "Due Monday 4 January 2027" in seen(moved)
    act(slack, moved, "target_draft_confirm")
    [target] = targets(db)
    assert (target.text, target.due_on) == ("Try the new starter", date(2027, 1, 4))

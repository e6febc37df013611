"""Targets: drafts, the gentle checks, confirming once, and a target's life, on each database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.school_calendar import SchoolCalendar, default_calendar_path, load_calendar
from bot.targets.checks import check_target, standards_text, suggested_standards
from bot.targets.service import TargetService
from storage.db import Database
from storage.targets import TargetDraft, TargetStatus
from tests.support.people import AMY, BEN, LONDON, NOW
from tests.support.phrases import UNDATED
from tests.support.service_school import School, seed


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


@pytest.fixture
def school(db: Database) -> School:
    return seed(db)


@pytest.fixture
def service(db: Database, calendar: SchoolCalendar) -> TargetService:
    return TargetService(db, calendar, LONDON)


def labels(checks: list) -> dict[str, bool]:
    return {check.label: check.ok for check in checks}


@pytest.mark.parametrize(
    ("text", "specific"),
    [
        ("Improve behaviour", False),
        ("Work on questioning", False),
        ("Try to be more consistent", False),
        ("Behaviour", False),
        ("Use a countdown and narrate the positive at every transition", True),
        ("Improve transitions by using a countdown and narrating the positive", True),
        ("Plan a hinge question for each Year 5 lesson", True),
    ],
)
def test_a_specific_target_names_an_action(text: str, specific: bool) -> None:
    checks = check_target(text, due_given=True, due=date(2026, 12, 4), standards=["7"], new_this_week=1)
    assert labels(checks)["Specific"] is specific


def test_every_check_says_why_when_it_fails() -> None:
    checks = check_target("Improve behaviour", due_given=False, due=date(2026, 12, 1), standards=[], new_this_week=4)

    assert labels(checks) == {
        "Specific": False,
        "Dated": False,
        "Linked to a standard": False,
        "At most three new this week": False,
    }
    why = {check.label: check.why for check in checks}
    assert "I suggested Tuesday 1 December 2026" in why["Dated"]
    assert "new target number 4 this week" in why["At most three new this week"]


def test_standards_are_suggested_and_described() -> None:
    assert suggested_standards("Use cold calling and praise in every lesson") == ["6", "7"]
    assert standards_text(["6"]) == "Standard 6"
    assert standards_text(["1", "6", "7"]) == "Standards 1, 6 and 7"
    assert standards_text(["P2"]) == "Part Two"
    assert standards_text([]) == ""


def test_a_draft_reads_the_date_and_suggests_standards(service: TargetService, school: School) -> None:
    view = service.draft(school.amy, BEN, "Use cold calling in every lesson by Monday week", school.directory, NOW)

    draft = view.draft
    assert (draft.text, draft.due_on, draft.due_phrase, draft.due_given) == (
        "Use cold calling in every lesson",
        date(2026, 12, 7),
        "by Monday week",
        True,
    )
    assert draft.standards == ["6"] and view.saved is None
    assert all(check.ok for check in view.checks)


def test_no_date_suggests_the_next_meeting_by_the_cadence(service: TargetService, school: School) -> None:
    view = service.draft(school.amy, BEN, "Teach Year 10 set 2 with more challenge", school.directory, NOW)

    assert (view.draft.due_on, view.draft.due_given) == (date(2026, 12, 1), False)
    assert view.draft.text == "Teach Year 10 set 2 with more challenge"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Say what the target is"),
        ("   ", "Say what the target is"),
        ("by Friday", "not only when"),
        ("Use cold calling by blursday", "couldn't understand “by blursday”"),
        ("Use cold calling by 20 November 2026", "is in the past"),
        ("x" * 3001, "keep it under 3000"),
    ],
)
def test_bad_targets_are_explained(service: TargetService, school: School, text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.draft(school.amy, BEN, text, school.directory, NOW)


def test_only_the_mentees_mentors_and_leads_set_targets(service: TargetService, school: School) -> None:
    with pytest.raises(NotAllowed, match="You don't mentor"):
        service.draft(school.cat, BEN, "Use cold calling by Friday", school.directory, NOW)
    with pytest.raises(InvalidInput, match="can't set a target for yourself"):
        service.draft(school.ben, BEN, "Use cold calling by Friday", school.directory, NOW)
    assert (
        service.draft(school.leo, BEN, "Use cold calling by Friday", school.directory, NOW).draft.set_by == "ULEO0001"
    )


def test_confirm_saves_once(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Friday", school.directory, NOW).draft.key

    first = service.confirm(school.amy, key, NOW)
    second = service.confirm(school.amy, key, NOW + timedelta(seconds=1))

    assert first.created and not second.created and first.target.id == second.target.id
    assert first.mentor_ids == [AMY]
    view = service.change_draft("T0001", AMY, key, NOW, due=date(2026, 12, 11))
    assert view.saved is not None and view.saved.due_on == date(2026, 11, 27)  # a saved target's draft is closed


def test_a_draft_is_only_the_typists_and_expires(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Friday", school.directory, NOW).draft.key

    with pytest.raises(NotAllowed):
        service.confirm(school.leo, key, NOW)
    with pytest.raises(NotFound):
        service.confirm(school.amy, "no-such-key", NOW)
    with pytest.raises(InvalidInput, match="more than a week old"):
        service.confirm(school.amy, key, NOW + timedelta(days=8))


def test_changing_a_draft(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Friday", school.directory, NOW).draft.key

    view = service.change_draft("T0001", AMY, key, NOW, due=date(2026, 12, 11), standards=["7", "6", "99"])
    assert (view.draft.due_on, view.draft.due_phrase, view.draft.standards) == (date(2026, 12, 11), None, ["6", "7"])

    view = service.change_draft("T0001", AMY, key, NOW, due=date(2026, 11, 23))
    assert view.problem is not None and "in the past" in view.problem and view.draft.due_on == date(2026, 12, 11)


def test_three_new_targets_a_week_and_the_fourth_is_flagged(service: TargetService, school: School) -> None:
    last_week = NOW - timedelta(days=7)
    service.confirm(
        school.amy,
        service.draft(school.amy, BEN, "Use a seating plan", school.directory, last_week).draft.key,
        last_week,
    )
    for n in range(3):
        view = service.draft(school.amy, BEN, f"Praise {n + 2} pupils by name by Friday", school.directory, NOW)
        assert labels(view.checks)["At most three new this week"]
        service.confirm(school.amy, view.draft.key, NOW)

    fourth = service.draft(school.amy, BEN, "Praise five pupils by name by Friday", school.directory, NOW)

    assert not labels(fourth.checks)["At most three new this week"]


def test_a_targets_life(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Friday", school.directory, NOW).draft.key
    target_id = service.confirm(school.amy, key, NOW).target.id

    with pytest.raises(NotAllowed):
        service.mark_ready(school.amy, target_id, NOW)
    ready = service.mark_ready(school.ben, target_id, NOW + timedelta(hours=1))
    assert ready.changed and ready.target.ready_for_review_at == NOW + timedelta(hours=1)
    assert not service.mark_ready(school.ben, target_id, NOW + timedelta(hours=2)).changed

    with pytest.raises(NotAllowed):
        service.close(school.ben, target_id, TargetStatus.MET, NOW)
    with pytest.raises(NotAllowed):
        service.close(school.cat, target_id, TargetStatus.MET, NOW)
    closed = service.close(school.amy, target_id, TargetStatus.NOT_MET, NOW + timedelta(days=1))
    assert closed.changed and (closed.target.status, closed.target.closed_by) == (TargetStatus.NOT_MET, AMY)
    again = service.close(school.leo, target_id, TargetStatus.MET, NOW + timedelta(days=2))
    assert not again.changed and again.target.status is TargetStatus.NOT_MET
    with pytest.raises(InvalidInput, match="already not met"):
        service.change_due(school.amy, target_id, date(2026, 12, 18), NOW)


def test_overdue_is_open_and_past_its_date(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Wednesday", school.directory, NOW).draft.key
    target = service.confirm(school.amy, key, NOW).target

    assert not target.is_overdue(date(2026, 11, 25))
    assert target.is_overdue(date(2026, 11, 26))
    listing = service.listing(school.ben, None, school.directory, NOW)
    assert [t.id for t in listing.targets] == [target.id] and listing.can_mark_ready and not listing.can_close
    with pytest.raises(NotAllowed):
        service.listing(school.cat, BEN, school.directory, NOW)


def test_standards_and_date_of_a_saved_target_can_change(service: TargetService, school: School) -> None:
    key = service.draft(school.amy, BEN, "Use cold calling by Friday", school.directory, NOW).draft.key
    target_id = service.confirm(school.amy, key, NOW).target.id

    assert service.set_standards(school.amy, target_id, ["P2", "6"], NOW).target.standards == ["6", "P2"]
    assert service.change_due(school.amy, target_id, date(2026, 12, 4), NOW).target.due_on == date(2026, 12, 4)
    with pytest.raises(InvalidInput, match="in the past"):
        service.change_due(school.amy, target_id, date(2026, 11, 1), NOW)


@pytest.mark.parametrize("text", UNDATED)
def test_school_words_are_never_read_as_dates_when_setting_a_target(
    service: TargetService, school: School, text: str
) -> None:
    view = service.draft(school.amy, BEN, text, school.directory, NOW)

    assert (view.draft.text, view.draft.due_given, view.draft.due_phrase) == (text, False, None)
    assert view.draft.due_on == date(2026, 12, 1)  # suggested: a week on, by the next meeting


def test_drafts_nobody_can_confirm_any_more_are_purged(service: TargetService, school: School, db: Database) -> None:
    old = service.draft(school.amy, BEN, "Use cold calling in every lesson by Friday", school.directory, NOW)
    fresh = service.draft(school.amy, BEN, "Narrate the positive by Friday", school.directory, NOW + timedelta(days=6))

    removed = service.purge_expired_drafts(NOW + timedelta(days=8))

    assert removed == 1
    with db.unit_of_work() as session:
        keys = set(session.scalars(select(TargetDraft.key)))
    assert keys == {fresh.draft.key} and old.draft.key not in keys
    with pytest.raises(NotFound, match="type `/target` again"):  # a late Confirm is told what to do
        service.confirm(school.amy, old.draft.key, NOW + timedelta(days=8))

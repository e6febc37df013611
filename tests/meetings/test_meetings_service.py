"""Meetings: dates, reviews and rollover, sign-off and corrections, on each database."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.core.errors import FieldErrors, InvalidInput, NotAllowed
from bot.core.school_calendar import SchoolCalendar, default_calendar_path, load_calendar
from bot.meetings.forms import MeetingDraft, NewTargetDraft
from bot.meetings.service import MeetingService
from bot.targets.service import TargetService
from storage.db import Database
from storage.meetings import ReviewOutcome
from storage.roster import MeetingCadence
from storage.targets import TargetStatus
from tests.support.people import AMY, BEN, LONDON, NOW
from tests.support.service_school import School, seed


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


@pytest.fixture
def targets(db: Database, calendar: SchoolCalendar) -> TargetService:
    return TargetService(db, calendar, LONDON)


@pytest.fixture
def service(db: Database, calendar: SchoolCalendar, targets: TargetService) -> MeetingService:
    return MeetingService(db, calendar, LONDON, targets)


def draft(**changes: object) -> MeetingDraft:
    values: dict[str, object] = {"mentee_id": BEN, "held_on": date(2026, 11, 24), "notes": "Talked about Year 5."}
    values.update(changes)
    return MeetingDraft(**values)  # type: ignore[arg-type]


def new(slot: int, text: str, due: str | None = None, standards: list[str] | None = None) -> NewTargetDraft:
    return NewTargetDraft(slot=slot, text=text, due_text=due, standards=standards)


def set_target(targets: TargetService, school: School, text: str, now: datetime = NOW) -> int:
    key = targets.draft(school.amy, BEN, text, school.directory, now).draft.key
    return targets.confirm(school.amy, key, now).target.id


def test_log_stores_the_meeting_once(service: MeetingService, db: Database) -> None:
    school = seed(db)
    first = service.log(school.amy, draft(duration_minutes=30, wellbeing=2), "V1", school.directory, NOW)
    again = service.log(school.amy, draft(notes="different"), "V1", school.directory, NOW)

    assert first.created and not again.created and first.meeting.id == again.meeting.id
    assert again.meeting.notes == "Talked about Year 5." and again.meeting.wellbeing == 2
    assert first.mentor_ids == [AMY]


def test_dates_from_the_mentorship_start_to_today_in_the_mentors_time_zone(
    service: MeetingService, db: Database
) -> None:
    school = seed(db, tz={AMY: "Asia/Tokyo"})
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=LONDON)  # already Monday in Tokyo

    assert service.log(school.amy, draft(held_on=date(2026, 11, 30)), "V1", school.directory, sunday_night).created
    with pytest.raises(FieldErrors) as future:
        service.log(school.amy, draft(held_on=date(2026, 12, 1)), "V2", school.directory, sunday_night)
    assert "hasn't happened yet" in future.value.errors["held_on"]
    with pytest.raises(FieldErrors) as early:
        service.log(school.amy, draft(held_on=date(2026, 11, 1)), "V3", school.directory, sunday_night)
    assert "started on Monday 2 November 2026" in early.value.errors["held_on"]
    assert service.log(school.amy, draft(held_on=date(2026, 11, 2)), "V4", school.directory, sunday_night).created


def test_every_field_problem_is_reported_at_once(service: MeetingService, db: Database) -> None:
    school = seed(db)
    with pytest.raises(FieldErrors) as caught:
        service.log(
            school.amy,
            draft(
                held_on=None,
                notes="",
                duration_minutes=None,
                duration_text="half an hour",
                new_targets=[new(0, "Use cold calling", "by blursday"), new(1, "", "by Friday")],
            ),
            "V1",
            school.directory,
            NOW,
        )
    assert set(caught.value.errors) == {"held_on", "notes", "duration", "new_due_0", "new_text_1"}


def test_reviews_close_or_carry_and_a_target_carried_past_two_meetings_is_flagged_once(
    service: MeetingService, targets: TargetService, db: Database
) -> None:
    school = seed(db)
    met = set_target(targets, school, "Use a countdown at every transition by Friday")
    stuck = set_target(targets, school, "Narrate the positive by the end of term")

    first = service.log(
        school.amy,
        draft(held_on=date(2026, 11, 24), reviews={met: ReviewOutcome.MET, stuck: ReviewOutcome.PROGRESSING}),
        "V1",
        school.directory,
        NOW,
    )
    assert first.flagged == []
    second = service.log(
        school.amy, draft(held_on=date(2026, 12, 1), reviews={stuck: None}), "V2", school.directory, NOW + timedelta(7)
    )
    assert [t.id for t in second.flagged] == [stuck] and second.flagged[0].carried_count == 2
    third = service.log(
        school.amy,
        draft(held_on=date(2026, 12, 8), reviews={stuck: ReviewOutcome.PROGRESSING, met: ReviewOutcome.DROPPED}),
        "V3",
        school.directory,
        NOW + timedelta(14),
    )
    assert third.flagged == []  # flagged once, stays flagged
    assert [(t.id, o) for t, o in third.reviewed] == [(stuck, ReviewOutcome.PROGRESSING)]  # `met` was closed already
    assert [t.id for t in targets.flagged("T0001")] == [stuck]
    listing = targets.listing(school.amy, BEN, school.directory, NOW)
    assert [t.id for t in listing.targets] == [stuck] and listing.flagged_ids == {stuck}
    assert {t.id: t.status for t in listing.targets} == {stuck: TargetStatus.OPEN}


def test_new_targets_take_their_date_from_the_words_the_due_field_or_the_next_meeting(
    service: MeetingService, db: Database
) -> None:
    school = seed(db)
    logged = service.log(
        school.amy,
        draft(
            next_meeting_on=date(2026, 12, 2),
            new_targets=[
                new(0, "Use cold calling in every lesson by Monday week"),
                new(1, "Plan a hinge question for Year 5", "end of term", ["4"]),
                new(2, "Share the behaviour policy with Year 5"),
            ],
        ),
        "V1",
        school.directory,
        NOW,
    )

    made = [(n.target.text, n.target.due_on, n.target.standards, n.suggested) for n in logged.new_targets]
    assert made == [
        ("Use cold calling in every lesson", date(2026, 12, 7), ["6"], True),
        ("Plan a hinge question for Year 5", date(2026, 12, 18), ["4"], False),
        ("Share the behaviour policy with Year 5", date(2026, 12, 2), ["7"], True),
    ]
    assert all(n.target.meeting_id == logged.meeting.id for n in logged.new_targets)


def test_sign_off_is_the_mentees_and_happens_once(service: MeetingService, db: Database) -> None:
    school = seed(db)
    meeting_id = service.log(school.amy, draft(), "V1", school.directory, NOW).meeting.id

    with pytest.raises(NotAllowed, match="only the mentee can sign off"):
        service.sign_off(school.amy, meeting_id, None, NOW)
    first = service.sign_off(school.ben, meeting_id, " Agreed. ", NOW + timedelta(hours=1))
    second = service.sign_off(school.ben, meeting_id, "Changed my mind", NOW + timedelta(hours=2))

    assert first.created and not second.created
    assert (second.meeting.signed_off_at, second.meeting.mentee_comment) == (NOW + timedelta(hours=1), "Agreed.")


def test_corrections_by_the_author_for_seven_days_with_history(service: MeetingService, db: Database) -> None:
    school = seed(db)
    meeting_id = service.log(school.amy, draft(duration_minutes=30), "V1", school.directory, NOW).meeting.id

    with pytest.raises(NotAllowed):
        service.correct(school.leo, meeting_id, draft(), NOW)
    unchanged = service.correct(school.amy, meeting_id, draft(duration_minutes=30), NOW + timedelta(days=1))
    assert unchanged.changed == []
    corrected = service.correct(
        school.amy, meeting_id, draft(duration_minutes=45, next_meeting_on=date(2026, 12, 1)), NOW + timedelta(days=2)
    )
    assert corrected.changed == ["duration", "next meeting"] and not corrected.sign_off_reset
    [revision] = service.revisions("T0001", meeting_id)
    assert revision.changes == {"duration": [30, 45], "next_meeting": [None, "2026-12-01"]}
    assert (revision.changed_by, revision.changed_at) == (AMY, NOW + timedelta(days=2))
    with pytest.raises(InvalidInput, match="corrected for 7 days"):
        service.correct(school.amy, meeting_id, draft(duration_minutes=50), NOW + timedelta(days=7, minutes=1))


def test_cadence_is_per_mentorship(service: MeetingService, db: Database) -> None:
    school = seed(db)
    shown = service.set_cadence(school.amy, BEN, None, school.directory, NOW)
    assert not shown.changed and shown.mentorships[0].meeting_cadence is MeetingCadence.WEEKLY
    assert shown.mentorships[0].observations_per_half_term == 2

    changed = service.set_cadence(school.leo, BEN, MeetingCadence.TWICE_A_TERM, school.directory, NOW)
    assert changed.changed and changed.mentorships[0].meeting_cadence is MeetingCadence.TWICE_A_TERM
    with pytest.raises(NotAllowed):
        service.set_cadence(school.ben, BEN, MeetingCadence.WEEKLY, school.directory, NOW)

"""The Home tab's read model: a fixed number of queries whatever the cohort, within 100 blocks, and the rules
each section follows (meetings due in school days, roster health, paging)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update

from bot.app.bootstrap import Deps
from bot.home.service import Home, HomeService, HomeSettings
from bot.roster.service import Caller
from handlers.home.blocks import VIEW_BLOCK_LIMIT, home_view
from handlers.home.pages import Pages
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person, Role
from storage.targets import Target, TargetStatus
from tests.support.emulator import validate_view
from tests.support.people import AMY, BEN, CAL, DEE, LEAD, NOW, SLT_CHANNEL, TEAM
from tests.support.school import seed_roster
from tests.support.seeding import add_mentorships, count_queries
from tests.support.slack import block_text

SEPT = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
STANDARDS = [f"standard_{n}" for n in range(1, 9)] + ["part_two"]
RATINGS = [Rating.NOT_DEMONSTRATED, Rating.PARTLY, Rating.FULLY, Rating.NOT_APPLICABLE]


def service(deps: Deps) -> HomeService:
    settings = HomeSettings(calendar_name=deps.calendar.name, digest_day="friday", digest_time="15:00")
    return HomeService(deps.db, deps.calendar, deps.forms, deps.settings.tz, settings, digests=deps.digests)


def caller(user_id: str, *, roles: Iterable[Role] = (), mentors: bool = False, mentored: bool = False) -> Caller:
    return Caller(TEAM, user_id, frozenset(roles), False, mentors, mentored)


@pytest.fixture
def workspace(db: Database) -> None:
    seed_roster(db, at=SEPT, slt_channel=SLT_CHANNEL, roles={LEAD: [Role.LEAD, Role.SLT, Role.ADMIN]})


def seed(
    db: Database, pairs: list[tuple[str, str]], *, targets: int = 3, observations: int = 2, unreflected: int = 1
) -> None:
    """Mentorships for (mentor, mentee) pairs, each with a half term of history: four meetings, `targets`
    targets (one overdue, one met), `observations` observations with every standard rated (the latest
    `unreflected` not yet reflected on); every seventh mentee is not on track and every eleventh has a concern."""
    ids = add_mentorships(
        db, pairs, team=TEAM, start=date(2026, 9, 2), end=date(2027, 9, 1), at=SEPT, created_by="seed"
    )
    with db.unit_of_work() as session:
        base = dict(team_id=TEAM, created_at=SEPT, updated_at=SEPT)
        session.execute(
            insert(Meeting),
            [
                dict(
                    base,
                    mentorship_id=ids[mentee],
                    mentee_id=mentee,
                    author_id=mentor,
                    held_on=date(2026, 11, 2) + timedelta(days=5 * week),
                    notes="Private notes",
                    submission_key=f"M{mentee}{week}",
                )
                for mentor, mentee in pairs
                for week in range(4)
            ],
        )
        session.execute(
            insert(Target),
            [
                dict(
                    base,
                    mentorship_id=ids[mentee],
                    mentee_id=mentee,
                    set_by=mentor,
                    text=f"Target {k}",
                    due_on=date(2026, 11, 20) + timedelta(days=7 * k),
                    standards=["4"],
                    status=TargetStatus.MET if k == 1 else TargetStatus.OPEN,
                    carried_count=0,
                    submission_key=f"T{mentee}{k}",
                )
                for mentor, mentee in pairs
                for k in range(targets)
            ],
        )
        rows = session.execute(
            insert(Observation).returning(Observation.id),
            [
                dict(
                    base,
                    teacher_id=mentee,
                    observer_id=mentor,
                    mentorship_id=ids[mentee],
                    form_key="ect",
                    observed_on=date(2026, 11, 16) - timedelta(days=7 * k),
                    on_track=n % 7 != 0,
                    has_concern=n % 11 == 0,
                    reflected_at=None if k < unreflected else SEPT,
                    submission_key=f"O{mentee}{k}",
                )
                for n, (mentor, mentee) in enumerate(pairs)
                for k in range(observations)
            ],
        )
        session.execute(
            insert(ObservationEntry),
            [
                dict(observation_id=observation_id, key=key, position=i, rating=RATINGS[(observation_id + i) % 4])
                for (observation_id,) in rows
                for i, key in enumerate(STANDARDS)
            ],
        )


def cohort(first: int, count: int, *, mentor: str | None = None) -> list[tuple[str, str]]:
    return [(mentor or f"UM{n // 3:05d}", f"UE{n:05d}") for n in range(first, first + count)]


@dataclass
class Built:
    home: Home
    view: dict[str, Any]
    queries: int

    @property
    def text(self) -> str:
        return block_text(self.view["blocks"])


def build(deps: Deps, who: Caller, pages: Pages | None = None, now: datetime = NOW) -> Built:
    with count_queries(deps.db) as statements:
        home = service(deps).build(who, now)
    view = home_view(home, pages)
    assert len(view["blocks"]) <= VIEW_BLOCK_LIMIT
    assert validate_view(view) == []  # Slack's Block Kit rules, as the emulator checks them
    return Built(home, view, len(statements))


# --- limits ---------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("workspace")
def test_a_lead_mentors_home_takes_the_same_queries_for_5_or_500_mentees_and_fits_in_100_blocks(
    deps: Deps, db: Database
) -> None:
    lead = caller(LEAD, roles={Role.LEAD})
    seed(db, cohort(0, 5))
    small = build(deps, lead)

    seed(db, cohort(5, 495))
    large = build(deps, lead)

    assert large.queries == small.queries <= 12
    assert "showing 1–8 of 500" in large.text
    needing_count = large.home.lead.needing if large.home.lead else 0
    assert f"*Needs you* ({needing_count})" in large.text
    assert len(large.view["blocks"]) <= 40
    assert large.home.lead is not None and len(large.home.lead.ordered) == 500
    needing = large.home.lead.ordered[: large.home.lead.needing]
    assert all(m.needs_attention for m in needing) and needing[0].not_on_track  # flags first


@pytest.mark.usefixtures("workspace")
def test_someone_with_every_role_and_a_large_school_still_gets_a_home_within_100_blocks(
    deps: Deps, db: Database
) -> None:
    everyone = caller(LEAD, roles={Role.LEAD, Role.SLT, Role.ADMIN}, mentors=True, mentored=True)
    seed(db, [(AMY, LEAD)], targets=40, observations=12, unreflected=12)  # their own mentor, a long history
    seed(db, cohort(0, 6, mentor=LEAD))
    small = build(deps, everyone)

    seed(db, cohort(6, 60, mentor=LEAD) + cohort(66, 434))
    with db.unit_of_work() as session:  # plenty of roster problems for the admin part too
        last_fifty, last_hundred = ("UE00450", "UE00499"), ("UE00400", "UE00499")
        session.execute(
            update(Mentorship).where(Mentorship.mentee_id.between(*last_hundred)).values(end_date=date(2026, 11, 30))
        )
        session.execute(
            update(Mentorship).where(Mentorship.mentee_id.between(*last_fifty)).values(ended_at=NOW - timedelta(days=1))
        )
    large = build(deps, everyone)

    assert large.queries == small.queries
    text = large.text
    for title in ("Your mentoring", "Your mentees", "Your cohort", "School summary", "Running mentor-bot"):
        assert title in text
    assert "*Your open targets* (1–8 of 39, 1 overdue)" in text and "*Reflections you still owe* (1–3 of 12)" in text
    assert "showing 1–8 of 66" in text and "showing 1–8 of 451" in text
    assert "*Mentees without a mentor* (1–15 of 50)" in text
    assert "*Mentorships ending by 30 November* (1–15 of 50)" in text
    assert len(large.view["blocks"]) <= VIEW_BLOCK_LIMIT


# --- the rules each section follows ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("workspace")
def test_meetings_fall_due_in_school_days_by_a_planned_date_or_by_the_end_of_the_half(deps: Deps, db: Database) -> None:
    with db.unit_of_work() as session:
        rows = {
            BEN: MeetingCadence.WEEKLY,
            CAL: MeetingCadence.FORTNIGHTLY,
            DEE: MeetingCadence.TWICE_A_TERM,
            "UEVE0001": MeetingCadence.WEEKLY,
        }
        mentorships = {
            mentee: Mentorship(
                team_id=TEAM,
                mentor_id=AMY,
                mentee_id=mentee,
                mentee_kind=MenteeKind.TRAINEE,
                start_date=date(2026, 10, 12),
                end_date=date(2027, 7, 31),
                meeting_cadence=cadence,
                created_by="seed",
                created_at=SEPT,
            )
            for mentee, cadence in rows.items()
        }
        session.add_all(mentorships.values())
        session.flush()

        def meeting(mentee: str, held_on: date, planned: date | None = None) -> Meeting:
            return Meeting(
                team_id=TEAM,
                mentorship_id=mentorships[mentee].id,
                mentee_id=mentee,
                author_id=AMY,
                held_on=held_on,
                next_meeting_on=planned,
                notes="n",
                submission_key=f"{mentee}{held_on}",
                created_at=SEPT,
                updated_at=SEPT,
            )

        session.add_all(
            [
                meeting(BEN, date(2026, 10, 22)),  # the Thursday before half term
                meeting(DEE, date(2026, 10, 20)),  # met in the first half only
                meeting("UEVE0001", date(2026, 11, 17), planned=date(2026, 12, 1)),
            ]
        )

    mentor = build(deps, caller(AMY, mentors=True)).home.mentor
    assert mentor is not None
    due = {s.mentee_id: (s.meeting_due, s.meeting_overdue) for s in mentor.mentees}
    assert due[BEN] == (date(2026, 11, 5), True)  # five school days: half term doesn't count
    assert due[CAL] == (date(2026, 11, 2), True)  # ten school days from 12 October, half term aside
    assert due[DEE] == (date(2026, 12, 18), False)  # the last school day of this half
    assert due["UEVE0001"] == (date(2026, 12, 1), False)  # the date the last meeting planned
    assert [s.mentee_id for s in mentor.mentees][-1] in (DEE, "UEVE0001")  # those on time come last


@pytest.mark.usefixtures("workspace")
def test_roster_health_lists_mentees_whose_mentorship_ended_early_but_not_finished_erased_or_departed_ones(
    deps: Deps, db: Database
) -> None:
    seed(db, [(AMY, BEN), (AMY, CAL), (AMY, DEE), (AMY, "UERASED0123456789"), (AMY, "UGONE001"), (LEAD, "UBOTH001")])
    with db.unit_of_work() as session:
        ended = NOW - timedelta(days=3)
        session.execute(update(Mentorship).where(Mentorship.mentee_id != DEE).values(ended_at=ended))
        session.execute(update(Mentorship).where(Mentorship.mentee_id == CAL).values(end_date=date(2026, 11, 1)))
        session.add(Person(team_id=TEAM, user_id="UGONE001", name="gone", deleted=True, refreshed_at=SEPT))
        session.add(
            Mentorship(
                team_id=TEAM,
                mentor_id=DEE,
                mentee_id="UBOTH001",
                mentee_kind=MenteeKind.STAFF,
                start_date=date(2026, 11, 20),
                end_date=date(2027, 11, 19),
                created_by="seed",
                created_at=NOW,
            )
        )

    admin = build(deps, caller(LEAD, roles={Role.ADMIN})).home.admin

    assert admin is not None
    # Cal's year had run its course; the erased and the departed need nobody; UBOTH001 has a new mentor.
    assert [(o.mentee_id, o.last_mentor_id) for o in admin.without_mentor] == [(BEN, AMY)]
    assert admin.without_mentor[0].ended_on == date(2026, 11, 21)


def test_page_state_survives_only_in_the_shape_it_was_given() -> None:
    assert Pages.parse("cohort=2;quiet=1").offsets == {"cohort": 2, "quiet": 1}
    assert Pages.parse("cohort=2;quiet=x;evil=3;<b>;cohort=9999999;mentees=-1").offsets == {"cohort": 2}
    assert Pages.parse(None).offsets == {} and Pages.parse("top").offsets == {}
    pages = Pages.parse("quiet=1").turned("cohort", 3)
    assert pages.encode() == "cohort=3;quiet=1" and pages.turned("cohort", 0).encode() == "quiet=1"
    assert Pages.parse("x" * 10_000).offsets == {}


@pytest.mark.usefixtures("workspace")
def test_a_page_past_the_end_shows_the_last_page(deps: Deps, db: Database) -> None:
    seed(db, cohort(0, 20))

    built = build(deps, caller(LEAD, roles={Role.LEAD}), Pages.parse("cohort=40"))

    assert "showing 17–20 of 20" in built.text


@pytest.mark.usefixtures("workspace")
def test_a_mentor_the_bot_has_no_record_of_yet_gets_a_home_without_the_certification_section(
    deps: Deps, db: Database
) -> None:
    seed(db, [("UM00000", "UE00000")])
    mentor = caller("UM00000", mentors=True)  # mentorships seeded directly: no people row for them

    home = deps.home.build(mentor, NOW)

    assert home.certification is None
    assert home.mentor is not None and [m.mentee_id for m in home.mentor.mentees] == ["UE00000"]

"""Concerns through the service: who may read which concern, and GDPR export and erasure of concerns and trails."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.concerns.service import concern_standings
from bot.core.permissions import Standing
from bot.privacy.service import ERASED_TEXT, collect, erase_person
from storage.concerns import (
    Concern,
    ConcernCategory,
    ConcernEntry,
    ConcernStatus,
    PlanOutcome,
    PlanReview,
    PlanStatus,
    SupportPlan,
)
from storage.targets import Target
from tests.cross.school import School, seed_school
from tests.support.emulator import SlackEmulator

M, MR, L, S, AU = Standing.MENTEE, Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.AUTHOR


def concern(category: ConcernCategory, *, discussed: bool, shared: bool = False) -> Concern:
    return Concern(category=category, discussed_on=date(2026, 11, 24) if discussed else None, shared=shared)


@pytest.mark.parametrize(
    ("category", "discussed", "shared", "kept"),
    [
        (ConcernCategory.TEACHING, False, False, {MR, L, S, AU}),  # the mentee waits until it is discussed
        (ConcernCategory.TEACHING, True, False, {M, MR, L, S, AU}),
        (ConcernCategory.WELLBEING, True, False, {L, S, AU}),  # private: lead mentors, SLT and the raiser
        (ConcernCategory.WELLBEING, False, True, {MR, L, S, AU}),
        (ConcernCategory.WELLBEING, True, True, {M, MR, L, S, AU}),
    ],
)
def test_a_concerns_own_privacy_narrows_who_stands_towards_it(
    category: ConcernCategory, discussed: bool, shared: bool, kept: set[Standing]
) -> None:
    assert concern_standings({M, MR, L, S, AU}, concern(category, discussed=discussed, shared=shared)) == kept


@pytest.fixture
def school(deps: Deps, emulator: SlackEmulator) -> School:
    return seed_school(deps, emulator)


def test_export_holds_the_concern_and_its_trail_and_erasure_leaves_no_free_text(deps: Deps, school: School) -> None:
    p = school.people
    now = deps.now()
    lead = school.caller(deps, p.lead)
    deps.concerns.add(lead, school.concern_id, "Met Ben about Kestrel.", "Kestrel plan agreed.", None, "k1", now)
    deps.concerns.resolve(lead, school.concern_id, ConcernStatus.SUPPORT_PLAN, "Kestrel support plan.", "k2", now)

    with deps.db.unit_of_work() as session:
        data = collect(session, school.team, p.mentee, now)
        exported = {table: [f.values for f in data.rows(table)] for table in ("concerns", "concern_entries")}
    assert [c["what_seen"] for c in exported["concerns"]] == ["The Kestrel lesson lost most pupils by the plenary."]
    assert sorted(e["happened"] for e in exported["concern_entries"]) == [
        "Kestrel support plan.",
        "Met Ben about Kestrel.",
    ]

    report = erase_person(deps.db, school.team, p.mentee, datetime(2026, 11, 25, 10, 0, tzinfo=now.tzinfo))

    with deps.db.unit_of_work() as session:
        [stored] = session.scalars(select(Concern)).all()
        entries = session.scalars(select(ConcernEntry).order_by(ConcernEntry.id)).all()
        assert (stored.mentee_id, stored.what_seen, stored.done_so_far) == (report.pseudonym, ERASED_TEXT, None)
        assert (stored.status, stored.category) == (ConcernStatus.SUPPORT_PLAN, ConcernCategory.TEACHING)  # counts kept
        assert [(e.happened, e.agreed) for e in entries] == [(None, None), (None, None)]
        assert [e.author_id for e in entries] == [p.lead, p.lead]  # the lead mentor's own part stays theirs
        texts = [stored.what_seen, stored.done_so_far, *(t for e in entries for t in (e.happened, e.agreed))]
        assert not [t for t in texts if t and ("Kestrel" in t or p.mentee in t)]


def test_export_holds_the_support_plan_and_erasure_leaves_no_free_text(deps: Deps, school: School) -> None:
    p = school.people
    now = deps.now()
    lead = school.caller(deps, p.lead)
    deps.plans.review(
        lead, school.plan_id, PlanOutcome.ESCALATED, "Kestrel escalated to the provider.", None, "r1", now
    )

    with deps.db.unit_of_work() as session:
        data = collect(session, school.team, p.mentee, now)
        exported = {table: [f.values for f in data.rows(table)] for table in ("support_plans", "plan_reviews")}
    assert [plan["areas"] for plan in exported["support_plans"]] == ["The Kestrel lessons lose pace after the starter."]
    assert [r["notes"] for r in exported["plan_reviews"]] == ["Kestrel escalated to the provider."]

    report = erase_person(deps.db, school.team, p.mentee, datetime(2026, 11, 25, 10, 0, tzinfo=now.tzinfo))

    with deps.db.unit_of_work() as session:
        [plan] = session.scalars(select(SupportPlan)).all()
        [review] = session.scalars(select(PlanReview)).all()
        targets = session.scalars(select(Target).where(Target.plan_id == plan.id)).all()
        assert plan.mentee_id == report.pseudonym and plan.status is PlanStatus.ESCALATED  # counts kept
        texts = [plan.areas, plan.support, plan.informed, review.notes, *(t.text for t in targets)]
        assert targets and not [t for t in texts if t and ("Kestrel" in t or p.mentee in t)]

"""Coaching and peer visits in the privacy export and erasure: a person's staff-list details, takeaways, visits
(made and received) and walks' thanks are exported, and erased with their identity while the counts stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app.bootstrap import Deps
from bot.core.directory import DirectoryUser
from bot.privacy.service import collect, erase_person
from bot.roster.service import Caller
from bot.visits.service import VisitDraft, WalkDraft
from storage.coaching import TripletMember
from storage.roster import Role
from storage.visits import PeerVisit
from tests.support.people import AMY, BEN, CAT, NOW, SAM, TEAM
from tests.support.privacy import rows_holding
from tests.support.school import seed_roster

TAKEAWAY = "Ben will try think-pair-share in maths."
NOTICED = "Ben's class explained their reasoning aloud."
REPLY = "Thanks Cat, that means a lot."


class NoDirectory:
    """Everyone is already known and fresh: Slack is never asked."""

    def user(self, user_id: str) -> DirectoryUser | None:
        raise AssertionError("not asked")

    def user_by_email(self, email: str) -> DirectoryUser | None:
        raise AssertionError("not asked")


def caller(user: str, *roles: Role) -> Caller:
    return Caller(TEAM, user, frozenset(roles), False, False, False)


def seed(deps: Deps) -> None:
    seed_roster(deps.db, at=NOW, people=[AMY, BEN, CAT, SAM], roles={SAM: [Role.SLT]})
    slt, found, now = caller(SAM, Role.SLT), NoDirectory(), NOW
    deps.coaching.add_staff(slt, [AMY, BEN, CAT], "KS1", found, now)
    view, _ = deps.coaching.propose(slt, "maths", None, now)
    approved, _ = deps.coaching.approve(slt, view.round_id, view.version, now)
    deps.coaching.add_takeaway(caller(BEN), approved.groups[0].triplet_id, TAKEAWAY, True, now)
    draft = VisitDraft(BEN, now.date() - timedelta(days=1), "Talk", NOTICED, "Mini whiteboards.")
    visit = deps.visits.log(caller(CAT), draft, "visit-1", now).visit
    deps.visits.reply(caller(BEN), visit.id, REPLY, now)
    walk = WalkDraft(now.date(), "Y5", "Stem sentences.", [BEN], share_name=False)
    deps.visits.record_walk(slt, walk, "walk-1", found, now)


def test_the_export_holds_their_coaching_and_visits(deps: Deps) -> None:
    seed(deps)
    with deps.db.unit_of_work() as session:
        data = collect(session, TEAM, BEN, NOW)
    assert {"staff_members", "coaching_members", "peer_visits", "learning_walk_thanks"} <= {
        table for table, rows in data.records.items() if rows
    }
    [member] = data.rows("coaching_members")
    assert member.values["takeaway"] == TAKEAWAY
    [visit] = data.rows("peer_visits")
    assert (visit.values["noticed"], visit.values["reply"]) == (NOTICED, REPLY)


def test_erasure_removes_their_takeaway_visits_and_identity_but_keeps_the_counts(deps: Deps) -> None:
    seed(deps)
    report = erase_person(deps.db, TEAM, BEN, NOW)
    assert report.found
    for text in (BEN, TAKEAWAY, NOTICED, REPLY):
        assert rows_holding(deps.db, text) == [], text
    with deps.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(PeerVisit)) == 1
        assert session.scalar(select(func.count()).select_from(TripletMember)) == 3
        assert session.scalar(select(PeerVisit.visitor_id)) == CAT  # the visitor keeps their own record of it

"""A school seeded straight through the services (fast), for the security tests to act on through Slack.

Everyone the permission table talks about has a person here, all about one mentee (the record's subject):

* the mentee, their current mentor, a mentor of someone else (and that other mentee), a lead mentor, an
  SLT member, a workspace admin and a colleague with no role;
* a former mentor of the mentee who wrote the records and then stopped mentoring them: they hold only the
  *author* standing, so editing (author only) is walked apart from mentoring;
* a colleague named as second observer on the observation: only the *observer* standing.

The records about the mentee: one observation, one meeting (not signed off), one open target and one open
concern (already discussed with them), all by the former mentor. Every text written into them carries the
school's `marker`, so a test can tell at a glance whether something from this school was shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, select

from bot.app.bootstrap import Deps, bootstrap
from bot.app.slack_client import make_web_client
from bot.concerns.plans import PlanDraft
from bot.concerns.service import ConcernDraft
from bot.meetings.forms import MeetingDraft
from bot.observations.forms import FieldKind
from bot.observations.service import ObservationDraft
from bot.roster.service import Caller
from handlers.digests import ids as digest_ids
from handlers.slack.directory import SlackDirectory
from storage.concerns import ConcernCategory
from storage.db import Database
from storage.observations import Rating
from storage.roster import MenteeKind, Role
from storage.schema import Base
from tests.support.driver import HttpResult, SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.replay import captured
from tests.support.slack import block_text


@dataclass(frozen=True)
class People:
    admin: str
    mentor: str
    mentee: str
    other_mentor: str
    other_mentee: str
    lead: str
    slt: str
    none: str
    author: str
    observer: str
    spare: str  # has no part in anything until a test gives them one
    tutor: str  # induction tutor (role)
    head: str  # headteacher (role)

    def items(self) -> Iterator[tuple[str, str]]:
        for f in dataclasses.fields(self):
            yield f.name, getattr(self, f.name)


def people(suffix: str) -> People:
    """Slack ids for one school; `suffix` ("1", "2") keeps two schools' people apart."""
    return People(
        admin=f"UHANA000{suffix}",
        mentor=f"UAMY0000{suffix}",
        mentee=f"UBEN0000{suffix}",
        other_mentor=f"UOTTO000{suffix}",
        other_mentee=f"UOLLIE00{suffix}",
        lead=f"ULEO0000{suffix}",
        slt=f"USAM0000{suffix}",
        none=f"UCAT0000{suffix}",
        author=f"UFAY0000{suffix}",
        observer=f"UPIP0000{suffix}",
        spare=f"UPAT0000{suffix}",
        tutor=f"UTIA0000{suffix}",
        head=f"UHAL0000{suffix}",
    )


NAMES = {
    "admin": "Hana Head",
    "mentor": "Amy Mentor",
    "mentee": "Ben Trainee",
    "other_mentor": "Otto Mentor",
    "other_mentee": "Ollie Trainee",
    "lead": "Leo Lead",
    "slt": "Sam Senior",
    "none": "Cat Colleague",
    "author": "Fay Former",
    "observer": "Pip Partner",
    "spare": "Pat Spare",
    "tutor": "Tia Tutor",
    "head": "Hal Headteacher",
}


@dataclass(frozen=True)
class School:
    team: str
    people: People
    marker: str  # in every text written into this school's records
    slt_channel: str
    start: date  # the mentorships' first day
    kind: MenteeKind
    observation_id: int
    meeting_id: int
    target_id: int
    concern_id: int = 0
    plan_id: int = 0  # started by the lead mentor

    def caller(self, deps: Deps, user: str) -> Caller:
        return deps.roster.caller(self.team, user, directory(deps), deps.now())


def directory(deps: Deps) -> SlackDirectory:
    return SlackDirectory(make_web_client(deps.settings))


def observation_draft(deps: Deps, teacher: str, marker: str, **changes: Any) -> ObservationDraft:
    """Every field of the default form answered; the texts name the marker."""
    form = deps.forms.default_for(MenteeKind.TRAINEE)
    texts: dict[str, str | None] = {
        f.key: f"{f.label}: {marker}" for f in form.fields if f.kind is FieldKind.TEXT and f.key != "concerns"
    }
    draft = ObservationDraft(
        teacher_id=teacher,
        form_key=form.key,
        observed_on=deps.now().date() - timedelta(days=1),
        subject=f"{marker} maths",
        class_group="Year 5",
        ratings={f.key: Rating.PARTLY for f in form.ratings},
        texts=texts,
        on_track=True,
    )
    return dataclasses.replace(draft, **changes)


def review_day(deps: Deps) -> date:
    """A school day a week or more ahead: a plan's review date."""
    ahead = deps.now().date() + timedelta(days=7)
    return deps.calendar.first_school_day_from(ahead) or ahead


def seed_school(
    deps: Deps,
    emulator: SlackEmulator,
    *,
    team: str = "T0001",
    who: People | None = None,
    marker: str = "Kestrel",
    slt_channel: str = "CSLT0001",
    start: date = date(2026, 11, 2),
    kind: MenteeKind = MenteeKind.TRAINEE,
    days_ago: int = 1,  # when the lesson and the meeting were
) -> School:
    """The school described in the module docstring, in workspace `team`, as of the test clock's now."""
    p = who or people("1")
    for role, user in p.items():
        emulator.add_user(user, role, real_name=NAMES[role], is_admin=role == "admin", team_id=team)
    emulator.add_channel(slt_channel, f"slt-{team.lower()}", is_member=True)
    found, now = directory(deps), deps.now()
    admin = deps.roster.caller(team, p.admin, found, now)
    for mentor, mentee in ((p.mentor, p.mentee), (p.author, p.mentee), (p.other_mentor, p.other_mentee)):
        deps.roster.assign(admin, mentor, mentee, kind, found, now, today=start)
    deps.roster.grant_role(admin, p.lead, Role.LEAD, found, now)
    deps.roster.grant_role(admin, p.slt, Role.SLT, found, now)
    deps.roster.grant_role(admin, p.tutor, Role.TUTOR, found, now)
    deps.roster.grant_role(admin, p.head, Role.HEAD, found, now)
    deps.roster.set_slt_channel(admin, slt_channel, now)

    author = deps.roster.caller(team, p.author, found, now)
    lesson_day = now.date() - timedelta(days=days_ago)
    draft = observation_draft(deps, p.mentee, marker, second_observer_id=p.observer, observed_on=lesson_day)
    observation = deps.observations.record(author, draft, f"seed-observation-{team}", found, now).observation
    notes = f"Talked through the {marker} lesson plan."
    meeting_draft = MeetingDraft(mentee_id=p.mentee, held_on=lesson_day, notes=notes, wellbeing=4)
    meeting = deps.meetings.log(author, meeting_draft, f"seed-meeting-{team}", found, now).meeting
    target_draft = deps.targets.draft(
        author, p.mentee, f"Use {marker} cold calling in every lesson by Friday", found, now
    )
    target = deps.targets.confirm(author, target_draft.draft.key, now).target
    concern_draft = ConcernDraft(
        mentee_id=p.mentee,
        category=ConcernCategory.TEACHING,
        seen_on=lesson_day,
        what_seen=f"The {marker} lesson lost most pupils by the plenary.",
        discussed_on=lesson_day,
    )
    concern = deps.concerns.raise_concern(author, concern_draft, f"seed-concern-{team}", found, now).concern
    plan_draft = PlanDraft(
        mentee_id=p.mentee,
        areas=f"The {marker} lessons lose pace after the starter.",
        standards=["4"],
        targets=f"Plan {marker} lessons in three timed parts by Friday",
        support=f"Weekly {marker} coaching with the mentor.",
        review_on=review_day(deps),
        informed="The provider's link tutor",
    )
    lead = deps.roster.caller(team, p.lead, found, now)
    plan = deps.plans.start(lead, plan_draft, f"seed-plan-{team}", found, now).view.plan
    # The author stops mentoring the mentee: from now on they hold only the author standing on these records.
    deps.roster.unassign(admin, p.author, p.mentee, now)
    emulator.reset()
    return School(
        team=team,
        people=p,
        marker=marker,
        slt_channel=slt_channel,
        start=start,
        kind=kind,
        observation_id=observation.id,
        meeting_id=meeting.id,
        target_id=target.id,
        concern_id=concern.id,
        plan_id=plan.id,
    )


def nudge_click(stack: Stack, school: School) -> Callable[[], HttpResult]:
    """The lead's digest **Nudge** for the mentor, captured, once the mentee's weekly meeting is overdue.

    A nudge names only mentees off their meeting cadence: the clock moves past the seeded meeting's due day.
    """
    stack.clock.now += OVERDUE_AFTER
    p = school.people
    return captured(stack.slack, lambda: stack.slack.click(digest_ids.NUDGE_ACTION, user=p.lead, value=p.mentor))


OVERDUE_AFTER = timedelta(days=8)  # the seeded meeting was yesterday; weekly is due 5 school days later


# --- reading a workspace's rows ----------------------------------------------------------------------------------


def _team_filter(table: Table, team: str) -> Any:
    if "team_id" in table.c:
        return table.c.team_id == team
    for fk in table.foreign_keys:
        parent = fk.column.table
        if "team_id" in parent.c:
            return fk.parent.in_(select(fk.column).where(parent.c.team_id == team))
    raise AssertionError(f"{table.name} can't be tied to a workspace")


def team_rows(db: Database, team: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that belongs to workspace `team`, to compare before and after."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with db.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "slack_oauth_states":
                continue  # installs under way in someone's browser: no workspace yet
            query = select(table).where(_team_filter(table, team))
            order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
            rows[table.name] = [dict(r) for r in session.execute(query.order_by(*order)).mappings()]
    return rows


# --- what people see --------------------------------------------------------------------------------------------


def ephemeral_after(slack: SlackDriver, before: int, what: str) -> str:
    """The first reply posted through a response_url since `before` (its text and blocks)."""
    reply = wait_until(lambda: slack.emulator.responses[before:], what=what)[0]
    return str(reply.get("text", "")) + "\n" + block_text(reply.get("blocks", []))


def command(slack: SlackDriver, name: str, text: str, *, user: str, team: str = "T0001") -> str:
    """A slash command's ephemeral reply, whether it came with the ack or through the response_url."""
    before = len(slack.emulator.responses)
    result = slack.command(name, text, user=user, team_id=team)
    assert result.status == 200, result.text
    if result.body:
        return str(result.json.get("text", ""))
    return ephemeral_after(slack, before, f"the reply to {name} {text}")


def opened_or_replied(slack: SlackDriver, act: Any, what: str) -> tuple[dict[str, Any] | None, str]:
    """Do something that answers with a modal or with an ephemeral reply: (the modal's view, or None; the reply)."""
    emulator = slack.emulator
    opened, replies = len(emulator.calls_to("views.open")), len(emulator.responses)
    result = act()
    assert result.status == 200, result.text

    def answered() -> bool:
        calls = emulator.calls_to("views.open")
        return (len(calls) > opened and calls[opened].response is not None) or len(emulator.responses) > replies

    wait_until(answered, what=what)
    calls = emulator.calls_to("views.open")
    if len(calls) > opened:
        response = calls[opened].response or {}
        assert response.get("ok"), f"views.open failed for {what}: {response}"
        view: dict[str, Any] = response["view"]
        return view, block_text(view.get("blocks", []))
    return None, ephemeral_after(slack, replies, what)


def modal(slack: SlackDriver, act: Any, what: str) -> dict[str, Any]:
    """Do something that opens a modal; the modal as Slack shows it (with its id, for submitting)."""
    view, text = opened_or_replied(slack, act, what)
    assert view is not None, f"expected a modal for {what}, got a reply: {text}"
    return view


# --- one bot and one emulator for a whole module ------------------------------------------------------------------


@dataclass
class Stack:
    """The bot served over HTTP with its emulator, kept for a module's tests; `fresh()` empties it between them.

    Starting and stopping the HTTP server costs more than most security tests, and the permission walk has
    hundreds: they share one server per backend. Each test still starts from an empty database and emulator.
    """

    slack: SlackDriver
    emulator: SlackEmulator
    deps: Deps
    clock: Any  # tests.conftest.FakeClock
    server: Any  # bot.server.BackgroundServer
    pending: list[Future[Any]]

    def fresh(self, now: datetime) -> None:
        self.settle()
        with self.deps.db.unit_of_work() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(delete(table))
        self.emulator.reset()
        self.clock.now = now

    def settle(self) -> None:
        """Wait for every listener the last test set off (they run after Slack has had its ack)."""
        wait_until(lambda: all(f.done() for f in self.pending), what="the bot's listeners to finish")
        self.pending.clear()


def start_stack(db: Database, url: str, now: datetime, signing_secret: str) -> Stack:
    from bot.app.settings import Settings
    from bot.app.slack_app import create_app
    from bot.app.web import BackgroundServer
    from tests.support.clock import FakeClock

    emulator = SlackEmulator(team_id="T0001").start()
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "DATABASE_URL": url,
        "SLACK_API_URL": emulator.api_url,
    }
    clock = FakeClock(now)
    deps = bootstrap(Settings(_env_file=None, **values), clock=clock, db=db)  # type: ignore[call-arg]
    app = create_app(deps)
    # Bolt runs listeners in its executor after the ack: note each one, so a test can wait for them all.
    executor = app._listener_runner.listener_executor
    pending: list[Future[Any]] = []
    submit = executor.submit

    def tracked(fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = submit(fn, *args, **kwargs)
        pending.append(future)
        return future

    executor.submit = tracked  # type: ignore[method-assign]
    server = BackgroundServer(app, signing_secret=signing_secret).start()
    return Stack(SlackDriver(server.url, signing_secret, emulator), emulator, deps, clock, server, pending)


def stop_stack(stack: Stack) -> None:
    stack.settle()
    stack.server.stop()
    stack.emulator.stop()


# --- coaching and peer visits ---------------------------------------------------------------------------------------
COACHED = ("mentee", "mentor", "other_mentor", "other_mentee", "none", "author")


def seed_staff(deps: Deps, school: School, names: tuple[str, ...] = COACHED) -> None:
    """Colleagues on the coaching staff list (six, the mentee among them, unless named), added by SLT."""
    slt = school.caller(deps, school.people.slt)
    deps.coaching.add_staff(slt, [getattr(school.people, n) for n in names], None, directory(deps), deps.now())


def seed_proposal(deps: Deps, school: School, subject: str = "maths") -> tuple[int, int]:
    """The staff list and SLT's maths triplets proposed for this term: (round id, version)."""
    seed_staff(deps, school)
    view, _ = deps.coaching.propose(school.caller(deps, school.people.slt), subject, None, deps.now())
    return view.round_id, view.version


def seed_triplet(deps: Deps, school: School) -> int:
    """Approved maths triplets; the id of the one the mentee is in."""
    round_id, version = seed_proposal(deps, school)
    view, _ = deps.coaching.approve(school.caller(deps, school.people.slt), round_id, version, deps.now())
    return next(g.triplet_id for g in view.groups if school.people.mentee in g.user_ids)


def mentee_triplet(deps: Deps, school: School) -> int:
    """One approved maths triplet: the mentee, the other mentee and the spare colleague (no one else the permission
    walk plays is in it), made once; its id."""
    from storage.coaching import TripletMember

    with deps.db.unit_of_work() as session:
        found = session.scalar(
            select(TripletMember.triplet_id).where(
                TripletMember.team_id == school.team, TripletMember.user_id == school.people.mentee
            )
        )
    if found is not None:
        return int(found)
    seed_staff(deps, school, ("mentee", "other_mentee", "spare"))
    slt = school.caller(deps, school.people.slt)
    view, _ = deps.coaching.propose(slt, "maths", None, deps.now())
    approved, _ = deps.coaching.approve(slt, view.round_id, view.version, deps.now())
    return approved.groups[0].triplet_id


def seed_visit(deps: Deps, school: School) -> int:
    """The author's peer visit to the mentee's classroom, yesterday: its id."""
    from bot.visits.service import VisitDraft

    p, now = school.people, deps.now()
    draft = VisitDraft(p.mentee, now.date() - timedelta(days=1), "Questioning", f"{school.marker}: lively starter.")
    return deps.visits.log(school.caller(deps, p.author), draft, f"seed-visit-{school.team}", now).visit.id

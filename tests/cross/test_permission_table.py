"""The permission table, walked end to end: every Action in POLICY, as every kind of person, through Slack.

For each (action, role) the real Slack surface is used — slash commands, buttons and modal submissions sent as
signed requests to the bot's HTTP endpoint — and what happened is compared with `POLICY`:

* allowed: the thing happens (stored, shown, sent);
* refused: the polite refusal appears (the table's "Sorry, only … can …", or the mentorship check's "You don't
  mentor …, so you can't …") and nothing is stored or shown.

The expected answer is worked out from POLICY at test time, so a change to the table without the matching change
in behaviour fails here; where behaviour follows the table by itself, `REVIEWED` holds the table as reviewed.
Actions with no Slack surface say why (`Walk.surface`), and are still walked: through their push (digests) or the
service, or by showing that Slack offers no way in (the roster import is the operators' CLI). The last tests call
every service method directly with a caller lacking the standing: the table is enforced in the service layer,
not only in the handlers.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app.bootstrap import Deps
from bot.app.digests import digest_run
from bot.app.slack_client import make_web_client
from bot.certification.service import ReflectionDraft, TrainingDraft
from bot.concerns.service import ConcernDraft
from bot.core.errors import FieldErrors, InvalidInput, NotAllowed
from bot.core.permissions import POLICY, WHO_CAN, Action, Standing, is_allowed
from bot.digests.service import Week
from bot.meetings.forms import MeetingDraft
from bot.privacy import service as privacy
from bot.reviews.induction import InductionInput
from bot.roster.service import Caller
from handlers.certification import ids as certification_ids
from handlers.coaching import ids as coaching_ids
from handlers.concerns import ids as concern_ids
from handlers.digests import ids as digest_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.reviews import ids as review_ids
from handlers.targets import ids as target_ids
from handlers.visits import ids as visit_ids
from storage.certification import CriterionTick, PanelOutcome, PanelResult, Reflection, TrainingSession
from storage.coaching import CoachingRound, StaffMember, Triplet
from storage.concerns import (
    Concern,
    ConcernCategory,
    ConcernEntry,
    ConcernStatus,
    EntryKind,
    PlanStatus,
    SupportPlan,
)
from storage.db import Database
from storage.meetings import Meeting, MeetingRevision
from storage.observations import Observation, ObservationRevision
from storage.reviews import Review, ReviewPoint
from storage.roster import AuditEntry, MeetingCadence, MenteeKind, Mentorship, Role, RoleGrant
from storage.schema import Base
from storage.targets import Target, TargetDraft, TargetStatus
from storage.visits import LearningWalk, PeerVisit
from tests.cross.school import (
    School,
    Stack,
    command,
    directory,
    ephemeral_after,
    mentee_triplet,
    modal,
    observation_draft,
    opened_or_replied,
    review_day,
    seed_school,
    seed_staff,
    seed_visit,
)
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import full_answers
from tests.support.slack import block_text, mention

M, MR, L, S, A = Standing.MENTEE, Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.ADMIN
AU, OB, NONE = Standing.AUTHOR, Standing.OBSERVER, Standing.NONE
TU, HD = Standing.TUTOR, Standing.HEAD


# --- who is who ---------------------------------------------------------------------------------------------------


class Scope(enum.Enum):
    """What an action's standing is worked out towards."""

    GLOBAL = "the caller's own roles"  # Caller.standings
    SUBJECT = "the mentee"  # Caller.towards(mentee)
    OBSERVATION = "the mentee's observation"  # towards(mentee) + author / second observer of it
    MEETING = "the mentee's meeting"  # towards(mentee) + author of it
    TARGET = "the mentee's target"  # towards(mentee) + who set it
    CONCERN = "the mentee's concern"  # towards(mentee) + who raised it (a discussed, non-wellbeing concern)
    PLAN = "the mentee's support plan"  # towards(mentee) + who started it (the lead mentor, in the seed)
    PORTFOLIO = "the mentor's certification portfolio"  # the caller's roles + author when it is their own
    TRIPLET = "the mentee's coaching triplet"  # MENTEE: in it (the mentee, in the seed); nobody else walked is
    VISIT = "a peer visit to the mentee's classroom"  # MENTEE: the colleague visited; AUTHOR: who visited


SCOPE: dict[Action, Scope] = {
    Action.VIEW_OWN_ROSTER: Scope.GLOBAL,
    Action.VIEW_ROSTER: Scope.GLOBAL,
    Action.CHANGE_ROSTER: Scope.GLOBAL,
    Action.IMPORT_ROSTER: Scope.GLOBAL,
    Action.OBSERVE: Scope.SUBJECT,
    Action.READ_OBSERVATION: Scope.OBSERVATION,
    Action.EDIT_OBSERVATION: Scope.OBSERVATION,
    Action.REFLECT_ON_OBSERVATION: Scope.OBSERVATION,
    Action.SEE_DIGEST: Scope.GLOBAL,
    Action.NUDGE_MENTOR: Scope.GLOBAL,
    Action.LOG_MEETING: Scope.SUBJECT,
    Action.READ_MEETING: Scope.MEETING,
    Action.EDIT_MEETING: Scope.MEETING,
    Action.SIGN_OFF_MEETING: Scope.MEETING,
    Action.SET_TARGET: Scope.SUBJECT,
    Action.CLOSE_TARGET: Scope.TARGET,
    Action.MARK_TARGET_READY: Scope.TARGET,
    Action.READ_TARGETS: Scope.SUBJECT,
    Action.SET_CADENCE: Scope.SUBJECT,
    Action.READ_AUDIT_LOG: Scope.GLOBAL,
    Action.SET_INDUCTION: Scope.GLOBAL,
    Action.READ_REVIEWS: Scope.SUBJECT,
    Action.WRITE_PROGRESS_REVIEW: Scope.SUBJECT,
    Action.WRITE_ASSESSMENT: Scope.SUBJECT,
    Action.RAISE_CONCERN: Scope.SUBJECT,
    Action.READ_CONCERN: Scope.CONCERN,
    Action.ADD_TO_CONCERN: Scope.CONCERN,
    Action.RESOLVE_CONCERN: Scope.CONCERN,
    Action.START_PLAN: Scope.SUBJECT,
    Action.READ_PLAN: Scope.PLAN,
    Action.REVIEW_PLAN: Scope.PLAN,
    Action.SIGN_PLAN: Scope.PLAN,
    Action.RECORD_AGREED_ACTIONS: Scope.SUBJECT,
    Action.ADD_EVIDENCE: Scope.GLOBAL,
    Action.READ_PORTFOLIO: Scope.PORTFOLIO,
    Action.COMMENT_ON_EVIDENCE: Scope.GLOBAL,
    Action.TICK_CRITERION: Scope.GLOBAL,
    Action.RECORD_PANEL_OUTCOME: Scope.GLOBAL,
    Action.READ_REGISTER: Scope.GLOBAL,
    Action.MANAGE_STAFF: Scope.GLOBAL,
    Action.ARRANGE_TRIPLETS: Scope.GLOBAL,
    Action.TAKE_PART_IN_TRIPLET: Scope.TRIPLET,
    Action.LOG_VISIT: Scope.GLOBAL,
    Action.READ_VISIT: Scope.VISIT,
    Action.REPLY_TO_VISIT: Scope.VISIT,
    Action.RECORD_LEARNING_WALK: Scope.GLOBAL,
}


@dataclass(frozen=True)
class Part:
    """A kind of person the table talks about, and the standings they hold in each scope."""

    name: str  # also the People field that names the person
    standings: dict[Scope, frozenset[Standing]]

    def allowed(self, action: Action) -> bool:
        return is_allowed(action, self.standings[SCOPE[action]])


def _same(standings: set[Standing]) -> dict[Scope, frozenset[Standing]]:
    return dict.fromkeys(Scope, frozenset(standings))


def _global_only(standings: set[Standing], **records: set[Standing]) -> dict[Scope, frozenset[Standing]]:
    held = {scope: frozenset(records.get(scope.name.lower(), set())) for scope in Scope}
    return {**held, Scope.GLOBAL: frozenset(standings)}


ROLES = [
    Part("mentee", {**_same({M}), Scope.PORTFOLIO: frozenset({M})}),  # the record's subject (not the portfolio's)
    # the subject's own mentor; the walk's portfolio is theirs
    Part("mentor", {**_same({MR}), Scope.PORTFOLIO: frozenset({MR, AU})}),
    Part("other_mentor", _global_only({MR})),  # mentors someone else
    Part("lead", _same({L})),
    Part("slt", _same({S})),
    Part("admin", _same({A})),  # a Slack workspace admin
    Part("none", _global_only({NONE})),  # a colleague with no role
    # Wrote the records, then stopped mentoring the mentee: only the author standing on them.
    Part("author", _global_only({NONE}, observation={AU}, meeting={AU}, target={AU}, concern={AU}, visit={AU})),
    Part("observer", _global_only({NONE}, observation={OB})),  # second observer on the observation
    Part("tutor", _same({TU})),  # induction tutor
    Part("head", _same({HD})),  # headteacher
]
ROLE_BY_NAME = {role.name: role for role in ROLES}


# --- outcomes -----------------------------------------------------------------------------------------------------


class Outcome(enum.Enum):
    ALLOWED = "it happened"
    REFUSED = "a polite refusal, and nothing happened"
    NOT_OFFERED = "nothing reached them and nothing was refused: no surface offers it to them"


def refusal_in(text: str, action: Action) -> bool:
    """The refusal the table produces: from `require`, or from the mentorship check that names the mentor."""
    who = WHO_CAN.get(action, "people whose role needs it")
    return f"Sorry, only {who} can {action.value}." in text or f"so you can't {action.value}." in text


def judged(action: Action, text: str, happened: bool, *, yourself: bool = False) -> Outcome:
    """Refused when the refusal is there and nothing happened; allowed when it happened and no refusal was shown.

    `yourself`: the caller is the mentee acting on themselves, which the services refuse before the table.
    """
    refused = refusal_in(text, action) or (yourself and "yourself" in text)
    assert refused != happened, f"{action.name}: refused={refused} but happened={happened}:\n{text}"
    return Outcome.REFUSED if refused else Outcome.ALLOWED


def one_outcome(outcomes: list[Outcome]) -> Outcome:
    assert len(set(outcomes)) == 1, f"the surfaces disagree: {outcomes}"
    return outcomes[0]


# --- walking each action --------------------------------------------------------------------------------------------


@dataclass
class Ctx:
    slack: SlackDriver
    emulator: SlackEmulator
    deps: Deps
    school: School

    @property
    def db(self) -> Database:
        return self.deps.db

    def count(self, model: Any, *where: Any) -> int:
        with self.db.unit_of_work() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def get(self, model: Any, row_id: int) -> Any:
        with self.db.unit_of_work() as session:
            return session.get(model, row_id)

    def reply_to_click(self, action_id: str, user: str, value: str, **extra: Any) -> str:
        before = len(self.emulator.responses)
        result = self.slack.click(action_id, user=user, value=value, **extra)
        assert result.status == 200, result.text
        return ephemeral_after(self.slack, before, f"the reply to {action_id}")


Walker = Callable[[Ctx, str], Outcome]


@dataclass(frozen=True)
class Walk:
    surface: str  # how the action is reached; "slack" unless there is none
    walk: Walker


def _view_own_roster(c: Ctx, user: str) -> Outcome:
    text = command(c.slack, "/mentor", f"list {mention(user)}", user=user)
    return judged(Action.VIEW_OWN_ROSTER, text, "Mentorships and roles for" in text)


def _view_roster(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    text = command(c.slack, "/mentor", f"list {mention(p.other_mentee)}", user=user)
    return judged(Action.VIEW_ROSTER, text, f"<@{p.other_mentor}> mentors <@{p.other_mentee}>" in text)


def _change_roster(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    outcomes = []
    text = command(c.slack, "/mentor", f"role add {mention(p.spare)} slt", user=user)
    granted = c.count(RoleGrant, RoleGrant.user_id == p.spare)
    outcomes.append(judged(Action.CHANGE_ROSTER, text, granted == 1))
    text = command(c.slack, "/mentor", f"unassign {mention(p.mentor)} {mention(p.mentee)}", user=user)
    ended = c.count(Mentorship, Mentorship.mentor_id == p.mentor, Mentorship.ended_at.is_not(None))
    outcomes.append(judged(Action.CHANGE_ROSTER, text, ended == 1))
    return one_outcome(outcomes)


def _import_roster(c: Ctx, user: str) -> Outcome:
    """Slack offers no import: `python -m bot roster import` is run by the operators, who hold the server and the
    bot token (it checks the token's workspace is the one named: tests/cross/test_cli.py). No person's standing is
    involved, so the table's admins-only row is kept by where the surface lives, not by a check."""
    text = command(c.slack, "/mentor", "import roster.csv", user=user)
    assert "I don't know `/mentor import`" in text, text
    return Outcome.NOT_OFFERED


def _observe(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    before = c.count(Observation)
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.command("/observe", mention(p.mentee), user=user), "/observe"
    )
    if view is None:
        return judged(Action.OBSERVE, text, c.count(Observation) > before, yourself=user == p.mentee)
    assert view["callback_id"] == observation_ids.OBSERVE_CALLBACK
    result = c.slack.submit(view, state_for(view, full_answers()), user=user)
    assert result.status == 200 and not result.body, result.text
    assert c.count(Observation, Observation.observer_id == user) == 1
    wait_until(lambda: c.emulator.messages_to(p.mentee), what="the teacher's DM")
    return judged(Action.OBSERVE, text, True)


def _read_observation(c: Ctx, user: str) -> Outcome:
    s = c.school
    reads_before = c.count(AuditEntry, AuditEntry.actor_id == user, AuditEntry.action == "observation.read")
    view = modal(
        c.slack, lambda: c.slack.click(observation_ids.VIEW_ACTION, user=user, value=str(s.observation_id)), "view"
    )
    text = block_text(view["blocks"])
    read = c.count(AuditEntry, AuditEntry.actor_id == user, AuditEntry.action == "observation.read") - reads_before
    outcomes = [judged(Action.READ_OBSERVATION, text, s.marker in text and read == 1)]
    if outcomes[0] is Outcome.REFUSED:
        assert s.marker not in text and read == 0
    observed = c.get(Observation, s.observation_id).observed_on
    text = command(c.slack, "/observe", f"history {mention(s.people.mentee)}", user=user)
    outcomes.append(judged(Action.READ_OBSERVATION, text, f"{observed:%-d %b %Y}" in text))
    return one_outcome(outcomes)


def _edit_observation(c: Ctx, user: str) -> Outcome:
    s = c.school
    view = modal(
        c.slack, lambda: c.slack.click(observation_ids.EDIT_ACTION, user=user, value=str(s.observation_id)), "edit"
    )
    if view.get("callback_id") != observation_ids.EDIT_CALLBACK:
        return judged(Action.EDIT_OBSERVATION, block_text(view["blocks"]), c.count(ObservationRevision) > 0)
    answers = full_answers(**{"field:next_steps": "Hinge questions in every lesson."})
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(
        Action.EDIT_OBSERVATION, "", c.count(ObservationRevision, ObservationRevision.changed_by == user) == 1
    )


def _reflect(c: Ctx, user: str) -> Outcome:
    s = c.school
    view = modal(
        c.slack,
        lambda: c.slack.click(observation_ids.REFLECT_ACTION, user=user, value=str(s.observation_id)),
        "reflect",
    )
    if view.get("callback_id") != observation_ids.REFLECT_CALLBACK:
        reflected = c.get(Observation, s.observation_id).reflection is not None
        return judged(Action.REFLECT_ON_OBSERVATION, block_text(view["blocks"]), reflected)
    answers = {"reflection": "I rushed the plenary.", "reflection_next_steps": "Exit tickets."}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    stored = c.get(Observation, s.observation_id)
    return judged(Action.REFLECT_ON_OBSERVATION, "", stored.reflection == "I rushed the plenary.")


def _see_digest(c: Ctx, user: str) -> Outcome:
    """Digests are pushed, not asked for: the lead mentors get theirs by DM, SLT read the summary in the SLT
    channel. Whoever a digest reaches must be allowed to see it; nobody else is sent one."""
    s = c.school
    now = c.deps.now()
    report = digest_run(c.deps, make_web_client(c.deps.settings)).run(s.team, Week.containing(now.date()), now)
    assert report.failed == [] and report.undeliverable == []
    assert c.emulator.messages_to(s.slt_channel), "the SLT summary is posted"
    to_them = [m for m in c.emulator.messages_to(user) if "digest" in m.get("text", "").lower()]
    in_their_channel = user == s.people.slt
    if to_them or in_their_channel:
        assert user in (s.people.lead, s.people.slt), f"a digest reached {user}"
        return Outcome.ALLOWED
    return Outcome.NOT_OFFERED


def _nudge(c: Ctx, user: str) -> Outcome:
    p = c.school.people  # the other mentor hasn't logged a meeting since the mentorships began
    text = c.reply_to_click(digest_ids.NUDGE_ACTION, user, p.other_mentor, block_id="nudge")
    nudged = [m for m in c.emulator.messages_to(p.other_mentor) if "noticed" in m.get("text", "")]
    return judged(Action.NUDGE_MENTOR, text, text.startswith(f"Nudged <@{p.other_mentor}>") and len(nudged) == 1)


def _log_meeting(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    before = c.count(Meeting)
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.command("/meeting", mention(p.mentee), user=user), "/meeting"
    )
    if view is None:
        return judged(Action.LOG_MEETING, text, c.count(Meeting) > before, yourself=user == p.mentee)
    assert view["callback_id"] == meeting_ids.MEETING_CALLBACK
    answers = {"held_on": c.deps.now().date().isoformat(), "notes": "We planned Year 5 fractions.", "wellbeing": "4"}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    assert c.count(Meeting, Meeting.author_id == user) == 1
    wait_until(lambda: c.emulator.messages_to(p.mentee), what="the mentee's notes")
    return Outcome.ALLOWED


def _read_meeting(c: Ctx, user: str) -> Outcome:
    """No Slack surface asks for meeting notes: they are pushed, by DM, to the mentee when logged (the author gets a
    confirmation). So the walk is the service's `read`, which any future surface must go through."""
    caller = c.school.caller(c.deps, user)
    try:
        meeting = c.deps.meetings.read(caller, c.school.meeting_id)
    except NotAllowed as exc:
        return judged(Action.READ_MEETING, str(exc), False)
    return judged(Action.READ_MEETING, "", c.school.marker in meeting.notes)


def _edit_meeting(c: Ctx, user: str) -> Outcome:
    s = c.school
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.click(meeting_ids.CORRECT, user=user, value=str(s.meeting_id)), "correct"
    )
    if view is None:
        return judged(Action.EDIT_MEETING, text, c.count(MeetingRevision) > 0)
    assert view["callback_id"] == meeting_ids.CORRECT_CALLBACK
    held = c.get(Meeting, s.meeting_id).held_on.isoformat()
    answers = {"held_on": held, "notes": "Corrected: we planned Year 5 fractions.", "wellbeing": "4"}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.EDIT_MEETING, "", c.count(MeetingRevision, MeetingRevision.changed_by == user) == 1)


def _sign_off(c: Ctx, user: str) -> Outcome:
    s = c.school
    message = {"ts": "1700000000.000200", "type": "message", "text": "notes"}
    text = c.reply_to_click(meeting_ids.SIGN_OFF, user, str(s.meeting_id), message=message, channel="D0001")
    signed_by = c.get(Meeting, s.meeting_id).signed_off_by
    outcomes = [judged(Action.SIGN_OFF_MEETING, text, signed_by == user)]
    # The same, with a comment: the modal opens for anyone (trigger ids expire fast); its submission is checked.
    view = modal(
        c.slack, lambda: c.slack.click(meeting_ids.SIGN_OFF_WITH_COMMENT, user=user, value=str(s.meeting_id)), "comment"
    )
    result = c.slack.submit(view, state_for(view, {"comment": "Agreed."}), user=user)
    assert result.status == 200, result.text
    errors = " ".join((result.json or {}).get("errors", {}).values()) if result.body else ""
    outcomes.append(judged(Action.SIGN_OFF_MEETING, errors, c.get(Meeting, s.meeting_id).signed_off_by == user))
    return one_outcome(outcomes)


def _set_target(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    typed = TargetDraft.text == "Use exit tickets in every lesson"
    text = command(c.slack, "/target", f"{mention(p.mentee)} Use exit tickets in every lesson by Friday", user=user)
    if refusal_in(text, Action.SET_TARGET) or "yourself" in text:
        drafted = c.count(TargetDraft, TargetDraft.set_by == user, typed)
        return judged(Action.SET_TARGET, text, drafted > 0, yourself=user == p.mentee)
    with c.db.unit_of_work() as session:
        key = session.scalars(select(TargetDraft.key).where(TargetDraft.set_by == user, typed)).one()
    c.reply_to_click(target_ids.DRAFT_CONFIRM, user, key, block_id=f"target_draft:{key}")
    saved = c.count(Target, Target.set_by == user, Target.text == "Use exit tickets in every lesson")
    return judged(Action.SET_TARGET, text, saved == 1)


def _close_target(c: Ctx, user: str) -> Outcome:
    s = c.school
    target_id = str(s.target_id)
    due = c.deps.now().date() + timedelta(days=10)
    picked = {"type": "datepicker", "selected_date": due.isoformat()}
    text = c.reply_to_click(target_ids.TARGET_DUE, user, target_id, block_id=f"target:{target_id}", extra_action=picked)
    outcomes = [judged(Action.CLOSE_TARGET, text, c.get(Target, s.target_id).due_on == due)]
    text = c.reply_to_click(target_ids.TARGET_MET, user, target_id, block_id=f"target:{target_id}")
    target = c.get(Target, s.target_id)
    outcomes.append(judged(Action.CLOSE_TARGET, text, target.status is TargetStatus.MET and target.closed_by == user))
    return one_outcome(outcomes)


def _mark_ready(c: Ctx, user: str) -> Outcome:
    s = c.school
    text = c.reply_to_click(target_ids.TARGET_READY, user, str(s.target_id), block_id=f"target:{s.target_id}")
    return judged(Action.MARK_TARGET_READY, text, c.get(Target, s.target_id).ready_for_review_at is not None)


def _read_targets(c: Ctx, user: str) -> Outcome:
    s = c.school
    text = command(c.slack, "/target", f"list {mention(s.people.mentee)}", user=user)
    return judged(Action.READ_TARGETS, text, s.marker in text)


def _set_cadence(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    text = command(c.slack, "/meeting", f"cadence {mention(p.mentee)} fortnightly", user=user)
    with c.db.unit_of_work() as session:
        cadence = session.scalars(
            select(Mentorship.meeting_cadence).where(Mentorship.mentor_id == p.mentor, Mentorship.mentee_id == p.mentee)
        ).one()
    return judged(Action.SET_CADENCE, text, cadence is MeetingCadence.FORTNIGHTLY)


def _read_audit_log(c: Ctx, user: str) -> Outcome:
    text = command(c.slack, "/mentor", "audit", user=user)
    return judged(Action.READ_AUDIT_LOG, text, "Audit log" in text and "`mentorship.assign`" in text)


def _set_induction(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    text = command(c.slack, "/mentor", f"reviews {mention(p.mentee)} Mid-point 2026-12-04", user=user)
    return judged(Action.SET_INDUCTION, text, "Review points saved" in text and c.count(ReviewPoint) == 1)


def _read_reviews(c: Ctx, user: str) -> Outcome:
    """The schedule is shown on Home tabs (each person's own part) and drafted into /review (for writers): the
    service's `schedule_for` is the read any surface showing someone else's schedule goes through."""
    caller = c.school.caller(c.deps, user)
    try:
        schedule = c.deps.reviews.schedule_for(caller, c.school.people.mentee, c.deps.now())
    except NotAllowed as exc:
        return judged(Action.READ_REVIEWS, str(exc), False)
    return judged(Action.READ_REVIEWS, "", schedule.mentee_id == c.school.people.mentee)


def _review_points(d: Deps, s: School, _: Caller | None = None) -> None:
    """The trainee's provider review point, so there is a progress review to write."""
    admin = s.caller(d, s.people.admin)
    d.reviews.set_points(admin, s.people.mentee, [("Mid-point", date(2026, 12, 4))], d.now())


def _ect_induction(d: Deps, s: School, _: Caller | None = None) -> None:
    """The mentee becomes an ECT who started in January: this autumn's term 3 is a formal assessment."""
    admin, p = s.caller(d, s.people.admin), s.people
    with d.db.unit_of_work() as session:
        has_ect = session.scalar(
            select(func.count())
            .select_from(Mentorship)
            .where(Mentorship.mentee_id == p.mentee, Mentorship.mentee_kind == MenteeKind.ECT)
        )
    if has_ect:
        return
    d.roster.unassign(admin, p.mentor, p.mentee, d.now())
    d.roster.assign(admin, p.mentor, p.mentee, MenteeKind.ECT, directory(d), d.now(), today=date(2026, 1, 5))
    typed = InductionInput(start=date(2026, 1, 5), fraction="1", tutor_id=p.tutor)
    d.reviews.set_induction(admin, p.mentee, typed, d.now())


REVIEW_ANSWERS = {
    "evidence": "Standards 1 and 7: calm routines seen on 23 November, pupils settled quickly.",
    "on_track": "yes",
    "q_entitlement": "Yes.",
}


def _write_review(c: Ctx, user: str, action: Action) -> Outcome:
    p = c.school.people
    before = c.count(Review)
    view, text = opened_or_replied(c.slack, lambda: c.slack.command("/review", mention(p.mentee), user=user), "/review")
    if view is None:
        return judged(action, text, c.count(Review) > before, yourself=user == p.mentee)
    assert view["callback_id"] == review_ids.REVIEW_CALLBACK
    result = c.slack.submit(view, state_for(view, REVIEW_ANSWERS), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(action, text, c.count(Review, Review.author_id == user) == 1)


def _write_progress_review(c: Ctx, user: str) -> Outcome:
    _review_points(c.deps, c.school)
    return _write_review(c, user, Action.WRITE_PROGRESS_REVIEW)


def _write_assessment(c: Ctx, user: str) -> Outcome:
    _ect_induction(c.deps, c.school)
    return _write_review(c, user, Action.WRITE_ASSESSMENT)


def _raise_concern(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    before = c.count(Concern)
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.command(concern_ids.CONCERN, mention(p.mentee), user=user), concern_ids.CONCERN
    )
    if view is None:
        return judged(Action.RAISE_CONCERN, text, c.count(Concern) > before, yourself=user == p.mentee)
    assert view["callback_id"] == concern_ids.RAISE_CALLBACK
    answers = {"category": "conduct", "seen_on": c.deps.now().date().isoformat(), "what_seen": "Late to duty."}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.RAISE_CONCERN, "", c.count(Concern, Concern.raised_by == user) == 1)


def _concern_modal(c: Ctx, action_id: str, user: str) -> tuple[dict[str, Any] | None, str]:
    """The modal a concern button opens, or (None and) the refusal it shows in a one-message modal."""
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.click(action_id, user=user, value=str(c.school.concern_id)), action_id
    )
    return (view, text) if view is None or view.get("callback_id") else (None, text)


def _read_concern(c: Ctx, user: str) -> Outcome:
    view, text = _concern_modal(c, concern_ids.VIEW_ACTION, user)
    return judged(Action.READ_CONCERN, text, view is not None and c.school.marker in text)


def _add_to_concern(c: Ctx, user: str) -> Outcome:
    view, text = _concern_modal(c, concern_ids.ADD_ACTION, user)
    if view is not None:
        result = c.slack.submit(view, state_for(view, {"happened": "We talked it through."}), user=user)
        assert result.status == 200 and not result.body, result.text
    return judged(Action.ADD_TO_CONCERN, text, c.count(ConcernEntry, ConcernEntry.author_id == user) == 1)


def _resolve_concern(c: Ctx, user: str) -> Outcome:
    view, text = _concern_modal(c, concern_ids.RESOLVE_ACTION, user)
    if view is not None:
        answers = {"outcome": "resolved", "reason": "On track again."}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    resolved = c.get(Concern, c.school.concern_id).status is ConcernStatus.RESOLVED
    return judged(Action.RESOLVE_CONCERN, text, resolved)


def _start_plan(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    before = c.count(SupportPlan, SupportPlan.owner_id == user)
    view, text = opened_or_replied(
        c.slack,
        lambda: c.slack.command(concern_ids.CONCERN, f"{concern_ids.PLAN_WORD} {mention(p.mentee)}", user=user),
        "/concern plan",
    )
    if view is None:
        return judged(Action.START_PLAN, text, c.count(SupportPlan, SupportPlan.owner_id == user) > before)
    answers = {
        "plan_areas": "Pace.",
        "plan_targets": "Time each part of the lesson by Friday",
        "plan_support": "Coaching.",
        "plan_review_on": review_day(c.deps).isoformat(),
    }
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.START_PLAN, "", c.count(SupportPlan, SupportPlan.owner_id == user) == before + 1)


def _plan_button(c: Ctx, action_id: str, user: str) -> tuple[dict[str, Any] | None, str]:
    """The modal a plan button opens, or (None and) the refusal it shows in a one-message modal."""
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.click(action_id, user=user, value=str(c.school.plan_id)), action_id
    )
    return (view, text) if view is None or view.get("callback_id") else (None, text)


def _read_plan(c: Ctx, user: str) -> Outcome:
    view, text = _plan_button(c, concern_ids.SEE_PLAN, user)
    return judged(Action.READ_PLAN, text, view is not None and c.school.marker in text)


def _review_plan(c: Ctx, user: str) -> Outcome:
    view, text = _plan_button(c, concern_ids.REVIEW_PLAN, user)
    if view is not None:
        result = c.slack.submit(view, state_for(view, {"review_outcome": "back_on_track"}), user=user)
        assert result.status == 200 and not result.body, result.text
    closed = c.get(SupportPlan, c.school.plan_id).status is PlanStatus.CLOSED
    return judged(Action.REVIEW_PLAN, text, closed)


def _sign_plan(c: Ctx, user: str) -> Outcome:
    opened = len(c.emulator.calls_to("views.open"))
    result = c.slack.click(concern_ids.SIGN_PLAN, user=user, value=str(c.school.plan_id))
    assert result.status == 200, result.text

    def signed() -> bool:
        return c.get(SupportPlan, c.school.plan_id).signed_at is not None

    wait_until(lambda: signed() or len(c.emulator.calls_to("views.open")) > opened, what="the signature or refusal")
    calls = c.emulator.calls_to("views.open")
    text = block_text((calls[opened].response or {})["view"]["blocks"]) if len(calls) > opened else ""
    return judged(Action.SIGN_PLAN, text, signed())


def _record_agreed_actions(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.click(concern_ids.RECORD_ACTIONS, user=user, value=p.mentee), "agreed actions"
    )
    if view is not None and not view.get("callback_id"):
        view = None
    if view is not None:
        answers = {"midpoint_actions": "Weekly drop-ins.", "midpoint_next_review": review_day(c.deps).isoformat()}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    kind = ConcernEntry.kind == EntryKind.AGREED_ACTIONS
    return judged(Action.RECORD_AGREED_ACTIONS, text, c.count(ConcernEntry, kind, ConcernEntry.author_id == user) == 1)


def _add_evidence(c: Ctx, user: str) -> Outcome:
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.command(certification_ids.EVIDENCE, "training", user=user), "/evidence training"
    )
    if view is not None:
        answers = {"held_on": "2026-11-20", "hours": "2", "provider": "Hub", "topic": "Coaching"}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    return judged(Action.ADD_EVIDENCE, text, c.count(TrainingSession, TrainingSession.mentor_id == user) == 1)


def _read_portfolio(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    text = command(c.slack, "/mentor", f"portfolio {mention(p.mentor)}", user=user)
    read = c.count(AuditEntry, AuditEntry.actor_id == user, AuditEntry.action == "certification.read")
    if read:
        wait_until(lambda: c.emulator.uploaded_files, what="the portfolio PDF")
    return judged(Action.READ_PORTFOLIO, text, "certification portfolio: the PDF" in text and read == 1)


def _lead_modal(c: Ctx, action_id: str, user: str) -> tuple[dict[str, Any] | None, str]:
    view, text = opened_or_replied(
        c.slack, lambda: c.slack.click(action_id, user=user, value=c.school.people.mentor), action_id
    )
    return (view if view is not None and view.get("callback_id") else None), text


def _comment_on_evidence(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    mentor = c.school.caller(c.deps, p.mentor)
    reflection = c.deps.certification.add_reflection(
        mentor, ReflectionDraft("Moved our meetings to mornings.", ["1"]), f"walk-{user}", c.deps.now()
    )
    view, text = _lead_modal(c, certification_ids.COMMENT_OPEN, user)
    if view is not None:
        answers = {"reflection": str(reflection.id), "comment": "A clear story."}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    return judged(Action.COMMENT_ON_EVIDENCE, text, c.count(Reflection, Reflection.comment_by == user) == 1)


def _tick_criterion(c: Ctx, user: str) -> Outcome:
    view, text = _lead_modal(c, certification_ids.TICK_OPEN, user)
    if view is not None:
        answers = {"criterion": "pre_entry_audit", "ticked_on": "2026-11-20"}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    return judged(Action.TICK_CRITERION, text, c.count(CriterionTick, CriterionTick.ticked_by == user) == 1)


def _record_panel_outcome(c: Ctx, user: str) -> Outcome:
    view, text = _lead_modal(c, certification_ids.OUTCOME_OPEN, user)
    if view is not None:
        answers = {"level": "entry", "outcome": "awarded", "panel_on": "2026-11-18"}
        result = c.slack.submit(view, state_for(view, answers), user=user)
        assert result.status == 200 and not result.body, result.text
    return judged(Action.RECORD_PANEL_OUTCOME, text, c.count(PanelResult, PanelResult.recorded_by == user) == 1)


def _read_register(c: Ctx, user: str) -> Outcome:
    text = command(c.slack, "/mentor", "register", user=user)
    return judged(Action.READ_REGISTER, text, "No mentor has been certified here yet" in text)


# --- coaching and peer visits ---------------------------------------------------------------------------------------


def _manage_staff(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    text = command(c.slack, "/mentor", f"staff add {mention(p.spare)} KS2", user=user)
    return judged(Action.MANAGE_STAFF, text, c.count(StaffMember, StaffMember.user_id == p.spare) == 1)


def _arrange_triplets(c: Ctx, user: str) -> Outcome:
    seed_staff(c.deps, c.school)
    text = command(c.slack, "/mentor", "triplets maths", user=user)
    return judged(Action.ARRANGE_TRIPLETS, text, c.count(CoachingRound) == 1 and "triplets for 6 people" in text)


def _take_part_in_triplet(c: Ctx, user: str) -> Outcome:
    triplet = mentee_triplet(c.deps, c.school)
    view = modal(c.slack, lambda: c.slack.click(coaching_ids.BOOK_SESSION, user=user, value=str(triplet)), "book")
    if view.get("callback_id") != coaching_ids.BOOK_CALLBACK:
        return judged(Action.TAKE_PART_IN_TRIPLET, block_text(view["blocks"]), False)
    day = c.deps.calendar.add_school_days(c.deps.now().date(), 2)
    assert day is not None
    result = c.slack.submit(view, state_for(view, {"session_on": day.isoformat()}), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.TAKE_PART_IN_TRIPLET, "", c.get(Triplet, triplet).session_on == day)


def _log_visit(c: Ctx, user: str) -> Outcome:
    p = c.school.people
    visited = p.spare if user != p.spare else p.mentee
    view, text = opened_or_replied(c.slack, lambda: c.slack.command("/visit", mention(visited), user=user), "/visit")
    if view is None:
        return judged(Action.LOG_VISIT, text, False)
    answers = {"visited_on": c.deps.now().date().isoformat(), "noticed": "Lively starter."}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.LOG_VISIT, "", c.count(PeerVisit, PeerVisit.visitor_id == user) == 1)


def _read_visit(c: Ctx, user: str) -> Outcome:
    """A visit is pushed, by DM, to the colleague visited (the visitor gets a confirmation): no Slack surface asks
    for one, so the walk is the service's `read`, which any future surface must go through."""
    visit_id = seed_visit(c.deps, c.school)
    try:
        visit = c.deps.visits.read(c.school.caller(c.deps, user), visit_id)
    except NotAllowed as exc:
        return judged(Action.READ_VISIT, str(exc), False)
    return judged(Action.READ_VISIT, "", c.school.marker in (visit.noticed or ""))


def _reply_to_visit(c: Ctx, user: str) -> Outcome:
    visit_id = seed_visit(c.deps, c.school)
    view = modal(c.slack, lambda: c.slack.click(visit_ids.REPLY, user=user, value=str(visit_id)), "reply")
    if view.get("callback_id") != visit_ids.REPLY_CALLBACK:
        return judged(Action.REPLY_TO_VISIT, block_text(view["blocks"]), False)
    result = c.slack.submit(view, state_for(view, {"reply": "Thank you!"}), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.REPLY_TO_VISIT, "", c.get(PeerVisit, visit_id).reply == "Thank you!")


def _record_learning_walk(c: Ctx, user: str) -> Outcome:
    view, text = opened_or_replied(c.slack, lambda: c.slack.command("/visit", "walk", user=user), "/visit walk")
    if view is None:
        return judged(Action.RECORD_LEARNING_WALK, text, c.count(LearningWalk) > 0)
    answers = {"walked_on": c.deps.now().date().isoformat(), "good_practice": "Stem sentences."}
    result = c.slack.submit(view, state_for(view, answers), user=user)
    assert result.status == 200 and not result.body, result.text
    return judged(Action.RECORD_LEARNING_WALK, "", c.count(LearningWalk, LearningWalk.walker_id == user) == 1)


WALK: dict[Action, Walk] = {
    Action.VIEW_OWN_ROSTER: Walk("slack", _view_own_roster),
    Action.VIEW_ROSTER: Walk("slack", _view_roster),
    Action.CHANGE_ROSTER: Walk("slack", _change_roster),
    Action.IMPORT_ROSTER: Walk("cli", _import_roster),
    Action.OBSERVE: Walk("slack", _observe),
    Action.READ_OBSERVATION: Walk("slack", _read_observation),
    Action.EDIT_OBSERVATION: Walk("slack", _edit_observation),
    Action.REFLECT_ON_OBSERVATION: Walk("slack", _reflect),
    Action.SEE_DIGEST: Walk("push", _see_digest),
    Action.NUDGE_MENTOR: Walk("slack", _nudge),
    Action.LOG_MEETING: Walk("slack", _log_meeting),
    Action.READ_MEETING: Walk("service", _read_meeting),
    Action.EDIT_MEETING: Walk("slack", _edit_meeting),
    Action.SIGN_OFF_MEETING: Walk("slack", _sign_off),
    Action.SET_TARGET: Walk("slack", _set_target),
    Action.CLOSE_TARGET: Walk("slack", _close_target),
    Action.MARK_TARGET_READY: Walk("slack", _mark_ready),
    Action.READ_TARGETS: Walk("slack", _read_targets),
    Action.SET_CADENCE: Walk("slack", _set_cadence),
    Action.READ_AUDIT_LOG: Walk("slack", _read_audit_log),
    Action.SET_INDUCTION: Walk("slack", _set_induction),
    Action.READ_REVIEWS: Walk("service", _read_reviews),
    Action.WRITE_PROGRESS_REVIEW: Walk("slack", _write_progress_review),
    Action.WRITE_ASSESSMENT: Walk("slack", _write_assessment),
    Action.RAISE_CONCERN: Walk("slack", _raise_concern),
    Action.READ_CONCERN: Walk("slack", _read_concern),
    Action.ADD_TO_CONCERN: Walk("slack", _add_to_concern),
    Action.RESOLVE_CONCERN: Walk("slack", _resolve_concern),
    Action.START_PLAN: Walk("slack", _start_plan),
    Action.READ_PLAN: Walk("slack", _read_plan),
    Action.REVIEW_PLAN: Walk("slack", _review_plan),
    Action.SIGN_PLAN: Walk("slack", _sign_plan),
    Action.RECORD_AGREED_ACTIONS: Walk("slack", _record_agreed_actions),
    Action.ADD_EVIDENCE: Walk("slack", _add_evidence),
    Action.READ_PORTFOLIO: Walk("slack", _read_portfolio),
    Action.COMMENT_ON_EVIDENCE: Walk("slack", _comment_on_evidence),
    Action.TICK_CRITERION: Walk("slack", _tick_criterion),
    Action.RECORD_PANEL_OUTCOME: Walk("slack", _record_panel_outcome),
    Action.READ_REGISTER: Walk("slack", _read_register),
    Action.MANAGE_STAFF: Walk("slack", _manage_staff),
    Action.ARRANGE_TRIPLETS: Walk("slack", _arrange_triplets),
    Action.TAKE_PART_IN_TRIPLET: Walk("slack", _take_part_in_triplet),
    Action.LOG_VISIT: Walk("slack", _log_visit),
    Action.READ_VISIT: Walk("service", _read_visit),
    Action.REPLY_TO_VISIT: Walk("slack", _reply_to_visit),
    Action.RECORD_LEARNING_WALK: Walk("slack", _record_learning_walk),
}

# Allowed by the table, but no surface offers it to them: each with the reason, so a new gap fails the walk.
NOT_OFFERED = {
    (Action.IMPORT_ROSTER, "admin"): "the import is the operators' CLI (see _import_roster)",
    (Action.SEE_DIGEST, "admin"): (
        "digests go to lead mentors by DM and to the SLT channel; admins get only the notices about what to fix "
        "(no lead mentor, no SLT channel), and operators can `python -m bot digest preview`"
    ),
}


# --- the walk -----------------------------------------------------------------------------------------------------


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


def test_the_walk_covers_every_action_in_the_table() -> None:
    assert set(WALK) == set(POLICY), "every Action in POLICY needs a walk (and every walk an Action)"
    assert set(SCOPE) == set(POLICY)
    assert set(WHO_CAN) | {Action.VIEW_OWN_ROSTER} == set(POLICY), "every refusable action says who can"


EVERYONE = {role.name for role in ROLES}
# The table as it was reviewed, by kind of person: what the README promises (admins run the roster but read no
# observation or meeting notes; only admins read the audit log). Changing POLICY means changing this on purpose.
REVIEWED = {
    Action.VIEW_OWN_ROSTER: EVERYONE,
    Action.VIEW_ROSTER: {"lead", "slt", "admin"},
    Action.CHANGE_ROSTER: {"admin"},
    Action.IMPORT_ROSTER: {"admin"},
    Action.OBSERVE: {"mentor", "lead", "slt", "admin"},
    Action.READ_OBSERVATION: {"mentee", "mentor", "lead", "slt", "author", "observer"},
    Action.EDIT_OBSERVATION: {"author"},
    Action.REFLECT_ON_OBSERVATION: {"mentee"},
    Action.SEE_DIGEST: {"lead", "slt", "admin"},
    Action.NUDGE_MENTOR: {"lead", "slt", "admin"},
    Action.LOG_MEETING: {"mentor", "lead"},
    Action.READ_MEETING: {"mentee", "mentor", "lead", "slt", "author"},
    Action.EDIT_MEETING: {"author"},
    Action.SIGN_OFF_MEETING: {"mentee"},
    Action.SET_TARGET: {"mentor", "lead"},
    Action.CLOSE_TARGET: {"mentor", "lead"},  # not a former mentor who set it (issue 13.4)
    Action.MARK_TARGET_READY: {"mentee"},
    Action.READ_TARGETS: {"mentee", "mentor", "lead", "slt"},
    Action.SET_CADENCE: {"mentor", "lead", "admin"},
    Action.READ_AUDIT_LOG: {"admin"},
    Action.SET_INDUCTION: {"lead", "admin"},
    Action.READ_REVIEWS: {"mentee", "mentor", "lead", "slt", "tutor", "head"},
    Action.WRITE_PROGRESS_REVIEW: {"mentor", "tutor"},
    Action.WRITE_ASSESSMENT: {"tutor", "head"},
    # INDUCTION_TUTOR_HOOK: the induction tutor joins RAISE_CONCERN and READ_CONCERN when that role lands.
    Action.RAISE_CONCERN: {"mentor", "lead", "slt"},
    Action.READ_CONCERN: {"mentee", "mentor", "lead", "slt", "author"},
    Action.ADD_TO_CONCERN: {"mentor", "lead", "slt", "author"},
    Action.RESOLVE_CONCERN: {"lead", "slt"},
    Action.START_PLAN: {"lead", "slt"},
    Action.READ_PLAN: {"mentee", "mentor", "lead", "slt"},
    Action.REVIEW_PLAN: {"lead", "slt"},
    Action.SIGN_PLAN: {"mentee"},
    Action.RECORD_AGREED_ACTIONS: {"slt"},
    # Mentor certification: a mentor's own portfolio; lead mentors and SLT see everyone's, mentees none of it.
    Action.ADD_EVIDENCE: {"mentor", "other_mentor", "lead"},
    Action.READ_PORTFOLIO: {"mentor", "lead", "slt"},
    Action.COMMENT_ON_EVIDENCE: {"lead"},
    Action.TICK_CRITERION: {"lead"},
    Action.RECORD_PANEL_OUTCOME: {"lead"},
    Action.READ_REGISTER: {"lead", "slt", "admin"},
    # Coaching is kept apart from judgement: SLT and admins arrange it, only the people in a triplet act on it, and a
    # peer visit is the two colleagues' own (SLT see counts in their summary, never the notes).
    Action.MANAGE_STAFF: {"slt", "admin"},
    Action.ARRANGE_TRIPLETS: {"slt", "admin"},
    Action.TAKE_PART_IN_TRIPLET: {"mentee"},
    Action.LOG_VISIT: EVERYONE,
    Action.READ_VISIT: {"mentee", "author"},
    Action.REPLY_TO_VISIT: {"mentee"},
    Action.RECORD_LEARNING_WALK: {"slt"},
}


def test_the_table_is_the_reviewed_one() -> None:
    """The services follow POLICY, so the walk alone can't tell a deliberate change from a slip: this can."""
    assert {action: {role.name for role in ROLES if role.allowed(action)} for action in POLICY} == REVIEWED


def test_the_roles_hold_every_standing_the_table_names() -> None:
    held = {standing for role in ROLES for standings in role.standings.values() for standing in standings}
    named = {standing for allowed in POLICY.values() for standing in allowed}
    assert named <= held, f"no role in the walk holds {named - held}"


def test_the_roles_standings_are_what_the_roster_says(stack: Stack, school: School) -> None:
    """The walk's model of each role is checked against the real Caller built from the database."""
    deps = stack.deps
    with deps.db.unit_of_work() as session:
        mentors = list(
            session.scalars(
                select(Mentorship.mentor_id).where(
                    Mentorship.mentee_id == school.people.mentee, Mentorship.ended_at.is_(None)
                )
            )
        )
    for role in ROLES:
        caller = school.caller(deps, getattr(school.people, role.name))
        assert caller.standings == role.standings[Scope.GLOBAL], role.name
        assert caller.towards(school.people.mentee, mentors) == role.standings[Scope.SUBJECT], role.name


@pytest.mark.parametrize(
    ("action", "role"),
    list(itertools.product(POLICY, ROLES)),
    ids=[f"{action.name}-{role.name}" for action, role in itertools.product(POLICY, ROLES)],
)
def test_the_table_is_what_happens(action: Action, role: Part, stack: Stack, school: School) -> None:
    walk = WALK[action]  # a KeyError here: POLICY has an action the walk doesn't cover
    expected = role.allowed(action)

    outcome = walk.walk(Ctx(stack.slack, stack.emulator, stack.deps, school), getattr(school.people, role.name))

    if outcome is Outcome.NOT_OFFERED:
        assert walk.surface != "slack", f"{action.name}: a Slack surface must allow or refuse, not ignore"
        assert not expected or (action, role.name) in NOT_OFFERED, (
            f"POLICY lets the {role.name} {action.value}, but nothing offers it to them"
        )
    else:
        assert outcome is (Outcome.ALLOWED if expected else Outcome.REFUSED), (
            f"POLICY says the {role.name} {'may' if expected else 'may not'} {action.value}; "
            f"through {walk.surface} the outcome was: {outcome.value}"
        )


# --- the services enforce the table themselves ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceCall:
    action: Action
    name: str
    call: Callable[[Deps, School, Caller], Any]
    setup: Callable[[Deps, School, Caller], Any] | None = None  # done for every caller before anything is called


def _draft_for(deps: Deps, school: School, caller: Caller) -> None:
    """A /target draft typed by the caller (as if they had mentored the mentee when they typed it)."""
    with deps.db.unit_of_work() as session:
        mentorship_id = session.scalars(
            select(Mentorship.id).where(Mentorship.mentee_id == school.people.mentee, Mentorship.ended_at.is_(None))
        ).first()
        key = f"draft-{caller.user_id}"
        session.add(
            TargetDraft(
                team_id=school.team,
                key=key,
                mentorship_id=mentorship_id,
                mentee_id=school.people.mentee,
                set_by=caller.user_id,
                text="Use exit tickets",
                due_on=date(2026, 12, 4),
                due_given=True,
                standards=["6"],
                created_at=deps.now(),
            )
        )


def _meeting_draft(school: School, notes: str = "Planned fractions.") -> MeetingDraft:
    return MeetingDraft(mentee_id=school.people.mentee, held_on=date(2026, 11, 23), notes=notes, wellbeing=3)


SERVICE_CALLS = [
    ServiceCall(Action.VIEW_ROSTER, "roster.overview", lambda d, s, c: d.roster.overview(c, s.people.other_mentee)),
    ServiceCall(
        Action.CHANGE_ROSTER,
        "roster.assign",
        lambda d, s, c: d.roster.assign(
            c, s.people.spare, s.people.none, MenteeKind.ECT, directory(d), d.now(), today=d.now().date()
        ),
    ),
    ServiceCall(
        Action.CHANGE_ROSTER,
        "roster.unassign",
        lambda d, s, c: d.roster.unassign(c, s.people.mentor, s.people.mentee, d.now()),
    ),
    ServiceCall(
        Action.CHANGE_ROSTER,
        "roster.grant_role",
        lambda d, s, c: d.roster.grant_role(c, s.people.spare, Role.ADMIN, directory(d), d.now()),
    ),
    ServiceCall(
        Action.CHANGE_ROSTER,
        "roster.revoke_role",
        lambda d, s, c: d.roster.revoke_role(c, s.people.lead, Role.LEAD, d.now()),
    ),
    ServiceCall(
        Action.CHANGE_ROSTER, "roster.set_slt_channel", lambda d, s, c: d.roster.set_slt_channel(c, "CNEW0001", d.now())
    ),
    ServiceCall(
        Action.OBSERVE,
        "observations.prepare",
        lambda d, s, c: d.observations.prepare(c, s.people.mentee, directory(d), d.now()),
    ),
    ServiceCall(
        Action.OBSERVE,
        "observations.record",
        lambda d, s, c: d.observations.record(
            c, observation_draft(d, s.people.mentee, "new"), f"new-{c.user_id}", directory(d), d.now()
        ),
    ),
    ServiceCall(
        Action.READ_OBSERVATION, "observations.read", lambda d, s, c: d.observations.read(c, s.observation_id, d.now())
    ),
    ServiceCall(
        Action.READ_OBSERVATION,
        "observations.history",
        lambda d, s, c: d.observations.history(c, s.people.mentee, d.now()),
    ),
    ServiceCall(
        Action.EDIT_OBSERVATION,
        "observations.editable",
        lambda d, s, c: d.observations.editable(c, s.observation_id, d.now()),
    ),
    ServiceCall(
        Action.EDIT_OBSERVATION,
        "observations.edit",
        lambda d, s, c: d.observations.edit(
            c, s.observation_id, observation_draft(d, s.people.mentee, "edit"), d.now()
        ),
    ),
    ServiceCall(
        Action.REFLECT_ON_OBSERVATION,
        "observations.reflect",
        lambda d, s, c: d.observations.reflect(c, s.observation_id, "I rushed it.", None, d.now()),
    ),
    ServiceCall(
        Action.LOG_MEETING,
        "meetings.prepare",
        lambda d, s, c: d.meetings.prepare(c, s.people.mentee, directory(d), d.now()),
    ),
    ServiceCall(
        Action.LOG_MEETING,
        "meetings.log",
        lambda d, s, c: d.meetings.log(c, _meeting_draft(s), f"new-{c.user_id}", directory(d), d.now()),
    ),
    ServiceCall(Action.READ_MEETING, "meetings.read", lambda d, s, c: d.meetings.read(c, s.meeting_id)),
    ServiceCall(
        Action.EDIT_MEETING,
        "meetings.prepare_correction",
        lambda d, s, c: d.meetings.prepare_correction(c, s.meeting_id, d.now()),
    ),
    ServiceCall(
        Action.EDIT_MEETING,
        "meetings.correct",
        lambda d, s, c: d.meetings.correct(c, s.meeting_id, _meeting_draft(s, "Corrected."), d.now()),
    ),
    ServiceCall(
        Action.SIGN_OFF_MEETING,
        "meetings.sign_off",
        lambda d, s, c: d.meetings.sign_off(c, s.meeting_id, None, d.now()),
    ),
    ServiceCall(
        Action.SET_CADENCE,
        "meetings.set_cadence",
        lambda d, s, c: d.meetings.set_cadence(c, s.people.mentee, MeetingCadence.FORTNIGHTLY, directory(d), d.now()),
    ),
    ServiceCall(
        Action.SET_TARGET,
        "targets.draft",
        lambda d, s, c: d.targets.draft(c, s.people.mentee, "Use exit tickets by Friday", directory(d), d.now()),
    ),
    ServiceCall(
        Action.SET_TARGET,
        "targets.confirm",
        lambda d, s, c: d.targets.confirm(c, f"draft-{c.user_id}", d.now()),
        setup=_draft_for,
    ),
    ServiceCall(
        Action.CLOSE_TARGET, "targets.close", lambda d, s, c: d.targets.close(c, s.target_id, TargetStatus.MET, d.now())
    ),
    ServiceCall(
        Action.CLOSE_TARGET,
        "targets.set_standards",
        lambda d, s, c: d.targets.set_standards(c, s.target_id, ["1"], d.now()),
    ),
    ServiceCall(
        Action.CLOSE_TARGET,
        "targets.change_due",
        lambda d, s, c: d.targets.change_due(c, s.target_id, date(2026, 12, 11), d.now()),
    ),
    ServiceCall(
        Action.MARK_TARGET_READY, "targets.mark_ready", lambda d, s, c: d.targets.mark_ready(c, s.target_id, d.now())
    ),
    ServiceCall(
        Action.READ_TARGETS,
        "targets.listing",
        lambda d, s, c: d.targets.listing(c, s.people.mentee, directory(d), d.now()),
    ),
    ServiceCall(
        Action.RAISE_CONCERN,
        "concerns.prepare",
        lambda d, s, c: d.concerns.prepare(c, s.people.mentee, directory(d), d.now()),
    ),
    ServiceCall(
        Action.RAISE_CONCERN,
        "concerns.raise_concern",
        lambda d, s, c: d.concerns.raise_concern(
            c,
            ConcernDraft(s.people.mentee, ConcernCategory.CONDUCT, d.now().date(), "Late to duty."),
            f"new-{c.user_id}",
            directory(d),
            d.now(),
        ),
    ),
    ServiceCall(
        Action.START_PLAN,
        "plans.prepare",
        lambda d, s, c: d.plans.prepare(c, s.people.mentee, directory(d), d.now()),
    ),
    ServiceCall(Action.READ_PLAN, "plans.read", lambda d, s, c: d.plans.read(c, s.plan_id, d.now())),
    ServiceCall(Action.REVIEW_PLAN, "plans.prepare_review", lambda d, s, c: d.plans.prepare_review(c, s.plan_id)),
    ServiceCall(Action.SIGN_PLAN, "plans.sign", lambda d, s, c: d.plans.sign(c, s.plan_id, d.now())),
    ServiceCall(
        Action.RECORD_AGREED_ACTIONS,
        "probation.prepare",
        lambda d, s, c: d.probation.prepare(c, s.people.mentee),
    ),
    ServiceCall(Action.READ_CONCERN, "concerns.read", lambda d, s, c: d.concerns.read(c, s.concern_id, d.now())),
    ServiceCall(
        Action.ADD_TO_CONCERN,
        "concerns.prepare_entry",
        lambda d, s, c: d.concerns.prepare_entry(c, s.concern_id, Action.ADD_TO_CONCERN),
    ),
    ServiceCall(
        Action.ADD_TO_CONCERN,
        "concerns.add",
        lambda d, s, c: d.concerns.add(c, s.concern_id, "Talked.", None, None, f"add-{c.user_id}", d.now()),
    ),
    ServiceCall(
        Action.RESOLVE_CONCERN,
        "concerns.resolve",
        lambda d, s, c: d.concerns.resolve(
            c, s.concern_id, ConcernStatus.RESOLVED, "On track.", f"resolve-{c.user_id}", d.now()
        ),
    ),
    ServiceCall(Action.READ_AUDIT_LOG, "privacy.audit_trail", lambda d, s, c: privacy.audit_trail(d.db, c)),
    ServiceCall(
        Action.SET_INDUCTION,
        "reviews.set_points",
        lambda d, s, c: d.reviews.set_points(c, s.people.mentee, [("Final", date(2027, 3, 19))], d.now()),
    ),
    ServiceCall(
        Action.SET_INDUCTION,
        "reviews.add_absence",
        lambda d, s, c: d.reviews.add_absence(c, s.people.mentee, 2, d.now()),
        setup=_ect_induction,
    ),
    ServiceCall(
        Action.READ_REVIEWS,
        "reviews.schedule_for",
        lambda d, s, c: d.reviews.schedule_for(c, s.people.mentee, d.now()),
    ),
    ServiceCall(
        Action.WRITE_PROGRESS_REVIEW,
        "review_writing.prepare (progress)",
        lambda d, s, c: d.review_writing.prepare(c, s.people.mentee, directory(d), d.now()),
        setup=_review_points,
    ),
    ServiceCall(
        Action.WRITE_ASSESSMENT,
        "review_writing.prepare (assessment)",
        lambda d, s, c: d.review_writing.prepare(c, s.people.mentee, directory(d), d.now()),
        setup=_ect_induction,
    ),
    ServiceCall(Action.NUDGE_MENTOR, "nudges.claim", lambda d, s, c: d.nudges.claim(c, s.people.other_mentor, d.now())),
    ServiceCall(
        Action.ADD_EVIDENCE,
        "certification.add_reflection",
        lambda d, s, c: d.certification.add_reflection(
            c, ReflectionDraft("Mornings.", ["1"]), f"r-{c.user_id}", d.now()
        ),
    ),
    ServiceCall(
        Action.ADD_EVIDENCE,
        "certification.log_training",
        lambda d, s, c: d.certification.log_training(
            c, TrainingDraft(date(2026, 11, 20), "2", "Hub", "Coaching"), f"t-{c.user_id}", d.now()
        ),
    ),
    ServiceCall(
        Action.READ_PORTFOLIO,
        "certification.progress",
        lambda d, s, c: d.certification.progress(c, s.people.mentor, d.now(), audit="portfolio"),
    ),
    ServiceCall(
        Action.COMMENT_ON_EVIDENCE,
        "certification.comment",
        lambda d, s, c: d.certification.comment(c, 1, "Good.", f"c-{c.user_id}", d.now()),
    ),
    ServiceCall(
        Action.TICK_CRITERION,
        "certification.tick",
        lambda d, s, c: d.certification.tick(c, s.people.mentor, "pre_entry_audit", date(2026, 11, 20), None, d.now()),
    ),
    ServiceCall(
        Action.RECORD_PANEL_OUTCOME,
        "certification.record_outcome",
        lambda d, s, c: d.certification.record_outcome(
            c, s.people.mentor, "entry", PanelOutcome.AWARDED, date(2026, 11, 18), None, f"o-{c.user_id}", d.now()
        ),
    ),
    ServiceCall(Action.READ_REGISTER, "certification.register", lambda d, s, c: d.certification.register(c)),
    ServiceCall(
        Action.MANAGE_STAFF,
        "coaching.add_staff",
        lambda d, s, c: d.coaching.add_staff(c, [s.people.spare], "KS1", directory(d), d.now()),
    ),
    ServiceCall(Action.MANAGE_STAFF, "coaching.staff_list", lambda d, s, c: d.coaching.staff_list(c, d.now())),
    ServiceCall(
        Action.MANAGE_STAFF,
        "coaching.mark_away",
        lambda d, s, c: d.coaching.mark_away(c, s.people.mentee, "spring", d.now()),
        setup=lambda d, s, c: seed_staff(d, s),
    ),
    ServiceCall(
        Action.ARRANGE_TRIPLETS,
        "coaching.propose",
        lambda d, s, c: d.coaching.propose(c, "maths", None, d.now()),
        setup=lambda d, s, c: seed_staff(d, s),
    ),
    ServiceCall(Action.ARRANGE_TRIPLETS, "coaching.terms_ahead", lambda d, s, c: d.coaching.terms_ahead(c, d.now())),
    ServiceCall(
        Action.TAKE_PART_IN_TRIPLET,
        "coaching.prepare",
        lambda d, s, c: d.coaching.prepare(c, mentee_triplet(d, s)),
        setup=lambda d, s, c: mentee_triplet(d, s),
    ),
    ServiceCall(
        Action.TAKE_PART_IN_TRIPLET,
        "coaching.answer_met",
        lambda d, s, c: d.coaching.answer_met(c, mentee_triplet(d, s), True, d.now()),
        setup=lambda d, s, c: mentee_triplet(d, s),
    ),
    ServiceCall(
        Action.TAKE_PART_IN_TRIPLET,
        "coaching.add_takeaway",
        lambda d, s, c: d.coaching.add_takeaway(c, mentee_triplet(d, s), "Stem sentences.", False, d.now()),
        setup=lambda d, s, c: mentee_triplet(d, s),
    ),
    ServiceCall(
        Action.READ_VISIT,
        "visits.read",
        lambda d, s, c: d.visits.read(c, seed_visit(d, s)),
        setup=lambda d, s, c: seed_visit(d, s),
    ),
    ServiceCall(
        Action.REPLY_TO_VISIT,
        "visits.reply",
        lambda d, s, c: d.visits.reply(c, seed_visit(d, s), "Thanks!", d.now()),
        setup=lambda d, s, c: seed_visit(d, s),
    ),
    ServiceCall(Action.RECORD_LEARNING_WALK, "visits.prepare_walk", lambda d, s, c: d.visits.prepare_walk(c)),
]

# Actions no service method checks, and why that is right (or where the check lives instead).
NO_SERVICE_CHECK = {
    Action.VIEW_OWN_ROSTER: "everyone may: RosterService.overview(caller) shows the caller their own part",
    Action.IMPORT_ROSTER: "RosterService.import_rows takes no caller: only the operators' CLI calls it",
    Action.SEE_DIGEST: "DigestBuilder/DigestRun take no caller: the job sends each digest to the role it is for",
    Action.LOG_VISIT: "every member of staff may: VisitService.prepare and .log refuse only a visit to yourself",
}


def test_every_action_is_enforced_by_a_service_or_says_why_not() -> None:
    checked = {call.action for call in SERVICE_CALLS}
    assert checked | set(NO_SERVICE_CHECK) == set(POLICY)
    assert not checked & set(NO_SERVICE_CHECK)


def _rows(db: Database) -> dict[str, list[dict[str, Any]]]:
    with db.unit_of_work() as session:
        return {
            table.name: [dict(row) for row in session.execute(select(table)).mappings()]
            for table in Base.metadata.sorted_tables
            if table.name != "people"  # looking someone up refreshes their name: not a change to the records
        }


@pytest.mark.parametrize("service", SERVICE_CALLS, ids=[call.name for call in SERVICE_CALLS])
def test_each_service_refuses_a_caller_without_the_standing(service: ServiceCall, stack: Stack, school: School) -> None:
    deps = stack.deps
    refused = [role for role in ROLES if not role.allowed(service.action)]
    allowed = [role for role in ROLES if role.allowed(service.action)]
    assert refused and allowed
    if service.setup is not None:
        for role in ROLES:
            service.setup(deps, school, school.caller(deps, getattr(school.people, role.name)))
    before = _rows(deps.db)

    for role in refused:
        caller = school.caller(deps, getattr(school.people, role.name))
        with pytest.raises((NotAllowed, InvalidInput)) as raised:
            service.call(deps, school, caller)
        message = str(raised.value)
        if isinstance(raised.value, FieldErrors):  # the observation form shows the refusal beside the teacher
            message = " ".join(raised.value.errors.values())
        yourself = role.name == "mentee" and SCOPE[service.action] is Scope.SUBJECT
        assert isinstance(raised.value, NotAllowed | FieldErrors) or yourself, f"{role.name}: {raised.value!r}"
        assert refusal_in(message, service.action) or (yourself and "yourself" in message), f"{role.name}: {message}"
    assert _rows(deps.db) == before, "a refused call changed something"

    for role in allowed:  # and the table's own people get through (whatever else the rules then say)
        caller = school.caller(deps, getattr(school.people, role.name))
        try:
            service.call(deps, school, caller)
        except NotAllowed as exc:
            pytest.fail(f"{service.name} refused the {role.name}: {exc}")
        except (InvalidInput, FieldErrors):
            pass  # e.g. the target is already closed by the previous allowed role

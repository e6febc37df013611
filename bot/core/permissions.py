"""Who may do what: one table, enforced by the services.

A person's *standing* towards a record is every hat they wear for it: the mentor of this
mentee, a lead mentor, SLT, an admin, the mentee themselves. An action is allowed when any
of those standings is in the action's row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bot.core.errors import NotAllowed


class Standing(enum.StrEnum):
    MENTEE = "mentee"  # the person the record is about
    MENTOR = "mentor"  # the mentee's own mentor
    LEAD = "lead"  # lead mentor
    SLT = "slt"
    ADMIN = "admin"  # bot admin: workspace admins/owners and anyone granted the admin role
    AUTHOR = "author"  # wrote this record (e.g. the observer)
    OBSERVER = "observer"  # named on this record as a second observer
    TUTOR = "tutor"  # induction tutor: runs ECT induction, completes formal assessments with the head
    HEAD = "head"  # headteacher
    NONE = "none"


class Action(enum.StrEnum):
    VIEW_OWN_ROSTER = "see their own mentorships and roles"
    VIEW_ROSTER = "see the school's mentorships and roles"
    CHANGE_ROSTER = "change mentorships, roles and settings"
    IMPORT_ROSTER = "import a roster"
    OBSERVE = "record an observation of this teacher"
    READ_OBSERVATION = "read this observation"
    EDIT_OBSERVATION = "correct this observation"
    REFLECT_ON_OBSERVATION = "add a reflection to this observation"
    SEE_DIGEST = "see the weekly digests"
    NUDGE_MENTOR = "nudge a mentor about missing logs"
    LOG_MEETING = "log a meeting with this mentee"
    READ_MEETING = "read these meeting notes"
    EDIT_MEETING = "correct these meeting notes"
    SIGN_OFF_MEETING = "sign off these meeting notes"
    SET_TARGET = "set a target for this mentee"
    CLOSE_TARGET = "review or close this target"
    MARK_TARGET_READY = "mark this target ready for review"
    READ_TARGETS = "see this person's targets"
    SET_CADENCE = "change how often this mentee meets their mentor"
    READ_AUDIT_LOG = "read the audit log"
    SET_INDUCTION = "set induction details and review points"
    READ_REVIEWS = "see this person's review schedule and reviews"
    WRITE_PROGRESS_REVIEW = "write a progress review"
    WRITE_ASSESSMENT = "complete a formal or interim assessment"
    RAISE_CONCERN = "raise a concern about this person"
    READ_CONCERN = "read this concern"
    ADD_TO_CONCERN = "add to this concern's trail"
    RESOLVE_CONCERN = "resolve this concern"
    START_PLAN = "start a support plan for this person"
    READ_PLAN = "read this support plan"
    REVIEW_PLAN = "review this support plan"
    SIGN_PLAN = "sign this support plan as seen"
    RECORD_AGREED_ACTIONS = "record the actions agreed at the probation mid-point"
    ADD_EVIDENCE = "add reflections and training to their own certification portfolio"
    READ_PORTFOLIO = "see this mentor's certification portfolio"
    COMMENT_ON_EVIDENCE = "comment on a mentor's reflection"
    TICK_CRITERION = "tick a mentor's certification criterion"
    RECORD_PANEL_OUTCOME = "record a certification panel's outcome"
    READ_REGISTER = "see the register of certified mentors"
    MANAGE_STAFF = "change the coaching staff list"
    ARRANGE_TRIPLETS = "propose and approve coaching triplets"
    TAKE_PART_IN_TRIPLET = "book, check back on or add a takeaway to this triplet's session"
    LOG_VISIT = "log a peer visit"
    READ_VISIT = "read this peer visit"
    REPLY_TO_VISIT = "reply to this peer visit"
    RECORD_LEARNING_WALK = "record a learning walk"


M, MR, L, S, A = Standing.MENTEE, Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.ADMIN
AU, OB = Standing.AUTHOR, Standing.OBSERVER
TU, HD = Standing.TUTOR, Standing.HEAD

POLICY: dict[Action, frozenset[Standing]] = {
    Action.VIEW_OWN_ROSTER: frozenset(Standing),
    Action.VIEW_ROSTER: frozenset({L, S, A}),
    Action.CHANGE_ROSTER: frozenset({A}),
    Action.IMPORT_ROSTER: frozenset({A}),
    Action.OBSERVE: frozenset({MR, L, S, A}),
    # Observations are personal data: admins run the roster but do not read them.
    Action.READ_OBSERVATION: frozenset({M, AU, OB, MR, L, S}),
    Action.EDIT_OBSERVATION: frozenset({AU}),
    Action.REFLECT_ON_OBSERVATION: frozenset({M}),
    Action.SEE_DIGEST: frozenset({L, S, A}),
    Action.NUDGE_MENTOR: frozenset({L, S, A}),
    Action.LOG_MEETING: frozenset({MR, L}),
    # Meeting notes and wellbeing are personal: admins do not read them either.
    Action.READ_MEETING: frozenset({M, AU, MR, L, S}),
    Action.EDIT_MEETING: frozenset({AU}),
    Action.SIGN_OFF_MEETING: frozenset({M}),
    Action.SET_TARGET: frozenset({MR, L}),
    # Reviewing a target is part of mentoring: when the mentorship ends, so does the right (its author's too).
    Action.CLOSE_TARGET: frozenset({MR, L}),
    Action.MARK_TARGET_READY: frozenset({M}),
    Action.READ_TARGETS: frozenset({M, MR, L, S}),
    Action.SET_CADENCE: frozenset({MR, L, A}),
    # The audit log names who did what to whom: the people who run the bot read it, no one else.
    Action.READ_AUDIT_LOG: frozenset({A}),
    Action.SET_INDUCTION: frozenset({L, A}),
    # Reviews quote meeting notes and observations: the same circle as those, plus the tutor and head.
    Action.READ_REVIEWS: frozenset({M, MR, L, S, TU, HD}),
    Action.WRITE_PROGRESS_REVIEW: frozenset({MR, TU}),
    # Statutory guidance: the induction tutor or the headteacher, never the mentor.
    Action.WRITE_ASSESSMENT: frozenset({TU, HD}),
    # Concerns. The induction tutor (role added with induction reviews) joins RAISE_CONCERN and READ_CONCERN
    # once that role exists: INDUCTION_TUTOR_HOOK.
    Action.RAISE_CONCERN: frozenset({MR, L, S}),
    # Narrowed per record by bot.concerns.service.concern_standings: the mentee only once it was discussed
    # with them; a wellbeing concern only lead mentors, SLT and its raiser, unless the raiser shared it.
    Action.READ_CONCERN: frozenset({M, AU, MR, L, S}),
    Action.ADD_TO_CONCERN: frozenset({AU, MR, L, S}),
    Action.RESOLVE_CONCERN: frozenset({L, S}),
    # Support plans: started and reviewed by lead mentors and SLT (and the plan's owner); shared with the mentee.
    Action.START_PLAN: frozenset({L, S}),
    Action.READ_PLAN: frozenset({M, AU, MR, L, S}),
    Action.REVIEW_PLAN: frozenset({AU, L, S}),
    Action.SIGN_PLAN: frozenset({M}),
    # SLT agree action points and support when someone struggling passes half way through probation.
    Action.RECORD_AGREED_ACTIONS: frozenset({S}),
    # Mentor certification: a mentor's own portfolio (AUTHOR: it is theirs); lead mentors and SLT see everyone's,
    # mentees none of it. Lead mentors comment, tick documents and signatures, and record the panel's outcome.
    Action.ADD_EVIDENCE: frozenset({MR, L}),
    Action.READ_PORTFOLIO: frozenset({AU, L, S}),
    Action.COMMENT_ON_EVIDENCE: frozenset({L}),
    Action.TICK_CRITERION: frozenset({L}),
    Action.RECORD_PANEL_OUTCOME: frozenset({L}),
    Action.READ_REGISTER: frozenset({L, S, A}),
    # Coaching is kept apart from judgement: SLT and admins arrange it; a triplet's own members (MENTEE: the people
    # the record is about) book it and write its takeaways; SLT see counts, and names only where the author shared.
    Action.MANAGE_STAFF: frozenset({S, A}),
    Action.ARRANGE_TRIPLETS: frozenset({S, A}),
    Action.TAKE_PART_IN_TRIPLET: frozenset({M}),
    # Any member of staff visits a colleague (never themselves); the visit is seen by the two people in it.
    Action.LOG_VISIT: frozenset(Standing),
    Action.READ_VISIT: frozenset({M, AU}),
    Action.REPLY_TO_VISIT: frozenset({M}),
    Action.RECORD_LEARNING_WALK: frozenset({S}),
}

WHO_CAN: dict[Action, str] = {
    Action.VIEW_ROSTER: "lead mentors, SLT and the bot's admins",
    Action.CHANGE_ROSTER: "the bot's admins (Slack workspace admins and owners, or anyone given the admin role)",
    Action.IMPORT_ROSTER: "the bot's admins",
    Action.OBSERVE: "the teacher's mentors, lead mentors, SLT and the bot's admins",
    Action.READ_OBSERVATION: "the observed teacher, the observers, the teacher's mentors, lead mentors and SLT",
    Action.EDIT_OBSERVATION: "the person who wrote it",
    Action.REFLECT_ON_OBSERVATION: "the observed teacher",
    Action.SEE_DIGEST: "lead mentors, SLT and the bot's admins",
    Action.NUDGE_MENTOR: "lead mentors, SLT and the bot's admins",
    Action.LOG_MEETING: "the mentee's mentors and lead mentors",
    Action.READ_MEETING: "the mentee, their mentors, lead mentors and SLT",
    Action.EDIT_MEETING: "the person who logged it",
    Action.SIGN_OFF_MEETING: "the mentee",
    Action.SET_TARGET: "the mentee's mentors and lead mentors",
    Action.CLOSE_TARGET: "the mentee's mentors and lead mentors",
    Action.MARK_TARGET_READY: "the mentee",
    Action.READ_TARGETS: "the mentee, their mentors, lead mentors and SLT",
    Action.SET_CADENCE: "the mentee's mentors, lead mentors and the bot's admins",
    Action.READ_AUDIT_LOG: "the bot's admins",
    Action.SET_INDUCTION: "lead mentors and the bot's admins",
    Action.READ_REVIEWS: "the teacher, their mentors, lead mentors, SLT, induction tutors and the headteacher",
    Action.WRITE_PROGRESS_REVIEW: "the teacher's mentors and induction tutors",
    Action.WRITE_ASSESSMENT: "the induction tutor or the headteacher (never the mentor)",
    Action.RAISE_CONCERN: "the person's mentors, lead mentors and SLT",
    Action.READ_CONCERN: "lead mentors, SLT, the person who raised it and (unless it is private) the mentors",
    Action.ADD_TO_CONCERN: "the person who raised it, the mentee's mentors, lead mentors and SLT",
    Action.RESOLVE_CONCERN: "lead mentors and SLT",
    Action.START_PLAN: "lead mentors and SLT",
    Action.READ_PLAN: "the mentee, their mentors, lead mentors and SLT",
    Action.REVIEW_PLAN: "lead mentors, SLT and the person who started it",
    Action.SIGN_PLAN: "the mentee",
    Action.RECORD_AGREED_ACTIONS: "SLT",
    Action.ADD_EVIDENCE: "mentors and lead mentors",
    Action.READ_PORTFOLIO: "the mentor themselves, lead mentors and SLT",
    Action.COMMENT_ON_EVIDENCE: "lead mentors",
    Action.TICK_CRITERION: "lead mentors",
    Action.RECORD_PANEL_OUTCOME: "lead mentors",
    Action.READ_REGISTER: "lead mentors, SLT and the bot's admins",
    Action.MANAGE_STAFF: "SLT and the bot's admins",
    Action.ARRANGE_TRIPLETS: "SLT and the bot's admins",
    Action.TAKE_PART_IN_TRIPLET: "the people in the triplet",
    Action.LOG_VISIT: "members of staff",
    Action.READ_VISIT: "the colleague who visited and the colleague visited",
    Action.REPLY_TO_VISIT: "the colleague visited",
    Action.RECORD_LEARNING_WALK: "SLT",
}


def is_allowed(action: Action, standings: Iterable[Standing]) -> bool:
    return any(standing in POLICY[action] for standing in standings)


def require(action: Action, standings: Iterable[Standing]) -> None:
    if not is_allowed(action, standings):
        who = WHO_CAN.get(action, "people whose role needs it")
        raise NotAllowed(f"Sorry, only {who} can {action.value}.")

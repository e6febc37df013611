"""Replays inside Slack's five-minute window (issue 13, point 15).

Every listener with a side effect is in the table below: its signed request, captured once, is sent five
times byte for byte, as someone replaying it inside the five minutes Slack's signature allows would. The
first does what it does — stores a change, sends a message, or both, as the row says — and the four
replays change no row of the workspace and send no message (chat.postMessage) to anyone: each request
carries an idempotency key (a modal's view id, a button's draft key, a click's trigger id, a claimed
record) or is safe to repeat (it sets a state it already has). Replies to whoever sent the request (its
ack, its response_url) are not messages to anyone else and may be repeated.

The table is checked against what the handlers register: a new listener must be added here, or to the
list of those that only open or show something to whoever pressed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from handlers.home import ids as home_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.reviews import ids as review_ids
from handlers.targets import ids as target_ids
from storage.reviews import Review
from storage.roster import MenteeKind
from tests.cross.school import School, Stack, directory, modal, nudge_click, seed_school, team_rows
from tests.support.driver import HttpResult, state_for
from tests.support.observations import full_answers
from tests.support.replay import captured
from tests.support.slack import mention

REPLAYS = 5

Prepare = Callable[[Stack, School], Callable[[], HttpResult]]


@dataclass(frozen=True)
class Row:
    listener: str  # "<feature>.<function>" in handlers/<feature>/listeners.py
    case: str
    prepare: Prepare
    stores: bool  # the first request changes a row
    tells: bool  # the first request sends a message (chat.postMessage) to someone


@pytest.fixture
def school(fresh: Stack) -> School:
    return seed_school(fresh.deps, fresh.emulator)


# --- preparing each request -------------------------------------------------------------------------------------


def _command(name: str, text: Callable[[School], str], who: str) -> Prepare:
    def prepare(stack: Stack, school: School) -> Callable[[], HttpResult]:
        user = getattr(school.people, who)
        return captured(stack.slack, lambda: stack.slack.command(name, text(school), user=user))

    return prepare


def _draft_key(stack: Stack, school: School, text: str = "Use exit tickets in every lesson by Friday") -> str:
    p, now = school.people, stack.deps.now()
    drafted = stack.deps.targets.draft(school.caller(stack.deps, p.mentor), p.mentee, text, directory(stack.deps), now)
    return drafted.draft.key


def _draft_click(action_id: str, value: Callable[[str], str | None], extra: dict[str, Any] | None = None) -> Prepare:
    def prepare(stack: Stack, school: School) -> Callable[[], HttpResult]:
        key = _draft_key(stack, school)
        return captured(
            stack.slack,
            lambda: stack.slack.click(
                action_id,
                user=school.people.mentor,
                value=value(key),
                block_id=f"{target_ids.DRAFT_BLOCK}{key}",
                extra_action=extra,
            ),
        )

    return prepare


def _pick_date(stack: Stack, school: School) -> Callable[[], HttpResult]:
    key = _draft_key(stack, school, "Use exit tickets in every lesson by Saturday")
    return captured(
        stack.slack,
        lambda: stack.slack.click(
            target_ids.DRAFT_DAY_BEFORE,
            user=school.people.mentor,
            value=f"{key}|2026-11-27",
            block_id=f"{target_ids.DRAFT_CHOICE_BLOCK}{key}",
        ),
    )


def _target_click(action_id: str, who: str, extra: dict[str, Any] | None = None) -> Prepare:
    def prepare(stack: Stack, school: School) -> Callable[[], HttpResult]:
        target = str(school.target_id)
        return captured(
            stack.slack,
            lambda: stack.slack.click(
                action_id,
                user=getattr(school.people, who),
                value=target,
                block_id=f"{target_ids.TARGET_BLOCK}{target}",
                extra_action=extra,
            ),
        )

    return prepare


def _submission(open_modal: Callable[[Stack, School], dict[str, Any]], answers: dict[str, Any], who: str) -> Prepare:
    def prepare(stack: Stack, school: School) -> Callable[[], HttpResult]:
        view, user = open_modal(stack, school), getattr(school.people, who)
        state = state_for(view, answers)
        return captured(stack.slack, lambda: stack.slack.submit(view, state, user=user))

    return prepare


def _opened(act: Callable[[Stack, School], Any], what: str) -> Callable[[Stack, School], dict[str, Any]]:
    return lambda stack, school: modal(stack.slack, lambda: act(stack, school), what)


_observe = _opened(lambda s, sc: s.slack.command("/observe", mention(sc.people.mentee), user=sc.people.mentor), "obs")
_meeting = _opened(lambda s, sc: s.slack.command("/meeting", mention(sc.people.mentee), user=sc.people.mentor), "mtg")
_edit = _opened(
    lambda s, sc: s.slack.click(observation_ids.EDIT_ACTION, user=sc.people.author, value=str(sc.observation_id)), "e"
)
_reflect = _opened(
    lambda s, sc: s.slack.click(observation_ids.REFLECT_ACTION, user=sc.people.mentee, value=str(sc.observation_id)),
    "reflect",
)
_correct = _opened(
    lambda s, sc: s.slack.click(meeting_ids.CORRECT, user=sc.people.author, value=str(sc.meeting_id)), "correct"
)
_comment = _opened(
    lambda s, sc: s.slack.click(meeting_ids.SIGN_OFF_WITH_COMMENT, user=sc.people.mentee, value=str(sc.meeting_id)),
    "comment",
)
_home_target = _opened(
    lambda s, sc: s.slack.click(home_ids.SET_TARGET_ACTION, user=sc.people.mentor, value=sc.people.mentee), "target"
)


def _sign_off(stack: Stack, school: School) -> Callable[[], HttpResult]:
    message = {"ts": "1700000000.000300", "type": "message", "text": "notes"}
    return captured(
        stack.slack,
        lambda: stack.slack.click(
            meeting_ids.SIGN_OFF, user=school.people.mentee, value=str(school.meeting_id), message=message
        ),
    )


def _home_opened(stack: Stack, school: School) -> Callable[[], HttpResult]:
    return captured(stack.slack, lambda: stack.slack.open_home(school.people.lead))


def _turn_page(stack: Stack, school: School) -> Callable[[], HttpResult]:
    view = {"id": "VHOME0001", "type": "home", "blocks": []}
    return captured(
        stack.slack,
        lambda: stack.slack.click(home_ids.MORE_ACTION, user=school.people.lead, value="cohort=1", view=view),
    )


# --- induction and reviews ---------------------------------------------------------------------------------------

INDUCTION = {
    "start": "2026-09-02",
    "fraction": "1",
    "appropriate_body": "North Teaching School Hub",
    "days_absent": "0",
}
REVIEW = {"evidence": "Secure routines; questioning still developing.", "on_track": "yes"}


def _ect(stack: Stack, school: School) -> str:
    """The spare teacher, mentored as an ECT: whose induction details the admin sets."""
    p, found, now = school.people, directory(stack.deps), stack.deps.now()
    admin = school.caller(stack.deps, p.admin)
    stack.deps.roster.assign(admin, p.mentor, p.spare, MenteeKind.ECT, found, now, today=school.start)
    return p.spare


_induction = _opened(
    lambda s, sc: s.slack.command("/mentor", f"induction {mention(_ect(s, sc))}", user=sc.people.admin), "induction"
)


def _points(stack: Stack, school: School) -> None:
    """The trainee's provider review point, due in a week."""
    p, now = school.people, stack.deps.now()
    stack.deps.reviews.set_points(school.caller(stack.deps, p.admin), p.mentee, [("Mid-point", date(2026, 12, 4))], now)


def _review_form(stack: Stack, school: School) -> dict[str, Any]:
    _points(stack, school)
    return modal(
        stack.slack,
        lambda: stack.slack.command("/review", mention(school.people.mentee), user=school.people.mentor),
        "review",
    )


def _saved_review(stack: Stack, school: School) -> int:
    """A review of the trainee's review point, saved by the mentor and waiting for the trainee's signature."""
    view = _review_form(stack, school)
    assert stack.slack.submit(view, state_for(view, REVIEW), user=school.people.mentor).status == 200
    stack.settle()
    with stack.deps.db.unit_of_work() as session:
        return session.scalars(select(Review.id)).one()


def _review_click(action_id: str) -> Prepare:
    def prepare(stack: Stack, school: School) -> Callable[[], HttpResult]:
        review = str(_saved_review(stack, school))
        return captured(
            stack.slack,
            lambda: stack.slack.click(action_id, user=school.people.mentee, value=review, block_id=f"review:{review}"),
        )

    return prepare


def _review_comment(stack: Stack, school: School) -> dict[str, Any]:
    review = str(_saved_review(stack, school))
    return modal(
        stack.slack,
        lambda: stack.slack.click(
            review_ids.COMMENT, user=school.people.mentee, value=review, block_id=f"review:{review}"
        ),
        "review comment",
    )


MEETING = {"held_on": "2026-11-24", "notes": "Planned fractions.", "wellbeing": "4", "new_text_0": "Use whiteboards"}
STANDARDS = {"selected_options": [{"value": "4", "text": {"type": "plain_text", "text": "4"}}]}
LEAD = "lead"  # as typed in /mentor role

ROWS = [
    # /target and its draft
    Row(
        "targets.target_command",
        "/target",
        _command("/target", lambda s: f"{mention(s.people.mentee)} Do X by Friday", "mentor"),
        True,
        False,
    ),
    Row("targets.confirm", "Confirm", _draft_click(target_ids.DRAFT_CONFIRM, lambda key: key), True, True),
    Row(
        "targets.change_draft_date",
        "draft date",
        _draft_click(target_ids.DRAFT_DUE, lambda _: None, {"selected_date": "2026-12-11"}),
        True,
        False,
    ),
    Row("targets.pick_draft_date", "draft school day", _pick_date, True, False),
    Row(
        "targets.change_draft_standards",
        "draft standards",
        _draft_click(target_ids.DRAFT_STANDARDS, lambda _: None, STANDARDS),
        True,
        False,
    ),
    # a saved target
    Row("targets.ready", "Ready for review", _target_click(target_ids.TARGET_READY, "mentee"), True, True),
    Row("targets.close", "Met", _target_click(target_ids.TARGET_MET, "mentor"), True, True),
    Row(
        "targets.change_date",
        "due date",
        _target_click(target_ids.TARGET_DUE, "mentor", {"selected_date": "2026-12-11"}),
        True,
        False,
    ),
    Row(
        "targets.change_standards",
        "standards",
        _target_click(target_ids.TARGET_STANDARDS, "mentor", STANDARDS),
        True,
        False,
    ),
    # meetings
    Row("meetings.meeting_submitted", "meeting", _submission(_meeting, MEETING, "mentor"), True, True),
    Row(
        "meetings.correction_submitted",
        "meeting correction",
        _submission(_correct, {"held_on": "2026-11-23", "notes": "Corrected.", "wellbeing": "4"}, "author"),
        True,
        True,
    ),
    Row(
        "meetings.comment_submitted",
        "sign-off comment",
        _submission(_comment, {"comment": "Agreed."}, "mentee"),
        True,
        True,
    ),
    Row("meetings.sign_off", "Sign off", _sign_off, True, True),
    # observations
    Row(
        "observations.observation_submitted", "observation", _submission(_observe, full_answers(), "mentor"), True, True
    ),
    Row(
        "observations.correction_submitted",
        "observation correction",
        _submission(_edit, full_answers(**{"field:next_steps": "Hinge questions."}), "author"),
        True,
        True,
    ),
    Row(
        "observations.reflection_submitted",
        "reflection",
        _submission(_reflect, {"reflection": "I rushed it."}, "mentee"),
        True,
        True,
    ),
    # the Home tab
    Row(
        "home.target_submitted",
        "Home Set target",
        _submission(_home_target, {home_ids.TARGET_TEXT: "Do X by Friday"}, "mentor"),
        True,
        True,
    ),
    Row("home.app_home_opened", "Home opened", _home_opened, False, False),
    Row("home.turn_page", "More", _turn_page, False, False),
    # digests
    Row("digests.nudge_mentor", "Nudge", nudge_click, True, True),
    # induction and reviews
    Row("roster.induction_submitted", "induction details", _submission(_induction, INDUCTION, "admin"), True, True),
    Row("reviews.review_submitted", "review", _submission(_review_form, REVIEW, "mentor"), True, True),
    Row("reviews.sign_clicked", "Sign", _review_click(review_ids.SIGN), True, True),
    Row(
        "reviews.comment_submitted",
        "review comment",
        _submission(_review_comment, {"comment": "Agreed."}, "mentee"),
        True,
        True,
    ),
    # /mentor
    Row(
        "roster.mentor_command",
        "assign",
        _command("/mentor", lambda s: f"assign {mention(s.people.spare)} {mention(s.people.other_mentee)}", "admin"),
        True,
        False,
    ),
    Row(
        "roster.mentor_command",
        "unassign",
        _command("/mentor", lambda s: f"unassign {mention(s.people.mentor)} {mention(s.people.mentee)}", "admin"),
        True,
        False,
    ),
    Row(
        "roster.mentor_command",
        "role add",
        _command("/mentor", lambda s: f"role add {mention(s.people.spare)} {LEAD}", "admin"),
        True,
        False,
    ),
    Row(
        "roster.mentor_command",
        "role remove",
        _command("/mentor", lambda s: f"role remove {mention(s.people.lead)} {LEAD}", "admin"),
        True,
        False,
    ),
    Row(
        "roster.mentor_command",
        "slt-channel",
        _command("/mentor", lambda _: "slt-channel <#CNEWSLT1|slt>", "admin"),
        True,
        False,
    ),
]

# Listeners that store nothing and message no one: they open a modal, or show something, to whoever pressed.
SHOW_ONLY = {
    "home.log_meeting",
    "home.observe",
    "home.set_target",
    "home.reflect",
    "meetings.meeting_command",
    "meetings.sign_off_with_comment",
    "meetings.correct",
    "meetings.log_meeting",
    "observations.observe_command",
    "observations.view_observation",
    "observations.open_reflection",
    "observations.open_correction",
    "observations.form_chosen",
    "reviews.review_command",  # opens the review modal, or uploads a review's report into the asker's own DM
    "reviews.comment_clicked",
    "reviews.correct_clicked",
}


def _messages(stack: Stack) -> int:
    return len([c for c in stack.emulator.calls_to("chat.postMessage") if (c.response or {}).get("ok")])


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.listener}:{r.case}" for r in ROWS])
def test_a_replayed_request_acts_once(row: Row, fresh: Stack, school: School) -> None:
    send = row.prepare(fresh, school)
    fresh.settle()
    fresh.emulator.add_channel("CNEWSLT1", "slt-new", is_member=True)
    # The hourly early-warning job has run: episodes that hold are stored already, as in a running bot.
    fresh.deps.warnings.refresh(school.team, fresh.deps.now())
    before = team_rows(fresh.deps.db, school.team)
    messages_before = _messages(fresh)

    first = send()
    fresh.settle()
    after_first, messages_first = team_rows(fresh.deps.db, school.team), _messages(fresh)
    replays = [send() for _ in range(REPLAYS - 1)]
    fresh.settle()

    assert first.status == 200 and all(r.status == 200 for r in replays), [first.status, *[r.status for r in replays]]
    assert (after_first != before) is row.stores, "the first request did what it does"
    assert (messages_first > messages_before) is row.tells, "the first request's messages"
    assert team_rows(fresh.deps.db, school.team) == after_first, "a replay changed what is stored"
    assert _messages(fresh) == messages_first, "a replay sent a message"


def test_every_listener_is_in_the_replay_table_or_only_shows_something() -> None:
    registered: set[str] = set()

    class Recorder:
        """Stands in for the Bolt app: notes which function each handler module registers."""

        def __init__(self, feature: str) -> None:
            self.feature = feature

        def _note(self, *_: Any, **__: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
            def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
                registered.add(f"{self.feature}.{getattr(function, '__name__', repr(function))}")
                return function

            return decorator

        action = view = command = event = shortcut = options = message = _note

    for feature in ("digests", "home", "meetings", "observations", "reviews", "roster", "targets"):
        importlib.import_module(f"handlers.{feature}.listeners").register(Recorder(feature))

    tabled = {row.listener for row in ROWS}
    assert registered == tabled | SHOW_ONLY, {
        "not in the table": sorted(registered - tabled - SHOW_ONLY),
        "in the table but not registered": sorted((tabled | SHOW_ONLY) - registered),
    }

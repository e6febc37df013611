"""Workspaces apart: two schools (T0001 and T0002) in one database, each with its own people and records.

Nothing done in T0002 — a command, a button, a modal, a digest, a privacy export or erasure — shows or changes
anything of T0001's, even with T0001's record ids pasted into the request. Every test runs twice:

* "separate": the two workspaces have different people;
* "grid": Enterprise Grid, where one Slack user id is the same person in every workspace of the org; here
  every person of T0002 has the same id as their counterpart in T0001, so only the workspace keeps the
  records apart (the mentee's own T0001 observation, clicked by the mentee from T0002, must not open).

T0001's records all say "Kestrel" and T0002's "Osprey"; T0001's mentees are trainees who started on
2 November, T0002's are ECTs who started on 9 November.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app.digests import digest_run
from bot.app.slack_client import make_web_client
from bot.certification.service import ReflectionDraft, TrainingDraft
from bot.digests.service import Week
from bot.privacy import service as privacy
from handlers.certification import ids as certification_ids
from handlers.coaching import ids as coaching_ids
from handlers.meetings import ids as meeting_ids
from handlers.observations import ids as observation_ids
from handlers.targets import ids as target_ids
from handlers.visits import ids as visit_ids
from storage.certification import PanelOutcome
from storage.roster import AuditEntry, MenteeKind
from storage.targets import Target, TargetDraft
from tests.cross.school import (
    School,
    Stack,
    command,
    directory,
    mentee_triplet,
    modal,
    observation_draft,
    opened_or_replied,
    people,
    seed_proposal,
    seed_school,
    seed_visit,
    team_rows,
)
from tests.support.certification import pdf_text
from tests.support.driver import state_for, wait_until
from tests.support.observations import full_answers
from tests.support.slack import block_text, mention

T1, T2 = "T0001", "T0002"


@dataclass
class Two:
    stack: Stack
    one: School  # T0001: the records a request from T0002 must never reach
    two: School  # T0002: where the requests come from
    grid: bool

    @property
    def slack(self) -> Any:
        return self.stack.slack

    def untouched(self) -> dict[str, list[dict[str, Any]]]:
        return team_rows(self.stack.deps.db, T1)


@pytest.fixture(params=["separate", "grid"])
def two(request: pytest.FixtureRequest, fresh: Stack) -> Two:
    grid = request.param == "grid"
    deps, emulator = fresh.deps, fresh.emulator
    one = seed_school(deps, emulator, team=T1, who=people("1"), marker="Kestrel", slt_channel="CSLT0001")
    # A second T0001 observation by the mentor, so T0001 counts two where T0002 counts one.
    amy = one.caller(deps, one.people.mentor)
    second = observation_draft(deps, one.people.mentee, "Kestrel", observed_on=date(2026, 11, 20))
    deps.observations.record(amy, second, "seed-second-observation", directory(deps), deps.now())
    two = seed_school(
        deps,
        emulator,
        team=T2,
        who=people("1") if grid else people("2"),
        marker="Osprey",
        slt_channel="CSLT0002",
        start=date(2026, 11, 9),
        kind=MenteeKind.ECT,
        days_ago=2,
    )
    return Two(fresh, one, two, grid)


def no_kestrel(*texts: str) -> None:
    for text in texts:
        assert "Kestrel" not in text, text


# --- buttons with T0001's ids, pressed in T0002 --------------------------------------------------------------------

# (action_id, who presses it in T0002, the T0001 id it carries, what they are told)
BUTTONS = [
    (observation_ids.VIEW_ACTION, "lead", "observation", "I can't find that observation"),
    (observation_ids.EDIT_ACTION, "author", "observation", "I can't find that observation"),
    (observation_ids.REFLECT_ACTION, "mentee", "observation", "I can't find that observation"),
    (meeting_ids.SIGN_OFF, "mentee", "meeting", "I can't find that meeting"),
    (meeting_ids.CORRECT, "author", "meeting", "I can't find that meeting"),
    (meeting_ids.LOG_MEETING, "mentor", "mentee", None),  # the modal opens for T0002's mentee, not T0001's
    (target_ids.TARGET_READY, "mentee", "target", "I can't find that target"),
    (target_ids.TARGET_MET, "mentor", "target", "I can't find that target"),
    (target_ids.TARGET_NOT_MET, "lead", "target", "I can't find that target"),
    (target_ids.TARGET_DROP, "author", "target", "I can't find that target"),
    (target_ids.TARGET_DUE, "mentor", "target", "I can't find that target"),
    (target_ids.TARGET_STANDARDS, "mentor", "target", "I can't find that target"),
    (target_ids.DRAFT_CONFIRM, "author", "draft", "I can't find that target any more"),
    (target_ids.DRAFT_DUE, "author", "draft", "I can't find that target any more"),
]
EXTRA = {
    target_ids.TARGET_DUE: {"type": "datepicker", "selected_date": "2026-12-11"},
    target_ids.TARGET_STANDARDS: {"type": "multi_static_select", "selected_options": [{"value": "1"}]},
    target_ids.DRAFT_DUE: {"type": "datepicker", "selected_date": "2026-12-11"},
}


def _t0001_value(two: Two, kind: str) -> str:
    one = two.one
    if kind == "draft":
        with two.stack.deps.db.unit_of_work() as session:
            return str(session.scalars(select(TargetDraft.key).where(TargetDraft.team_id == T1)).one())
    if kind == "mentee":
        return one.people.mentee
    return str({"observation": one.observation_id, "meeting": one.meeting_id, "target": one.target_id}[kind])


@pytest.mark.parametrize(("action_id", "who", "kind", "told"), BUTTONS, ids=[b[0] for b in BUTTONS])
def test_a_button_carrying_the_other_workspaces_id_finds_nothing_and_changes_nothing(
    two: Two, action_id: str, who: str, kind: str, told: str | None
) -> None:
    before = two.untouched()
    user, value = getattr(two.two.people, who), _t0001_value(two, kind)
    block_id = f"target_draft:{value}" if kind == "draft" else f"target:{value}"

    def press() -> Any:
        return two.slack.click(
            action_id, user=user, value=value, team_id=T2, block_id=block_id, extra_action=EXTRA.get(action_id)
        )

    view, text = opened_or_replied(two.slack, press, action_id)

    if told is None:  # /meeting's button with T0001's mentee: T0002's own records, if any, and only those
        if two.grid:  # the same person is T0002's mentee too
            assert view is not None and view["callback_id"] == meeting_ids.MEETING_CALLBACK and "Osprey" in text
        else:
            assert view is None and "you can't log a meeting with this mentee" in text, text
    else:
        assert told in text, text
    no_kestrel(text)
    assert two.untouched() == before


# --- modals carrying T0001's ids, submitted in T0002 -----------------------------------------------------------


def _opened_in_t0001(two: Two, action_id: str, user: str, value: int) -> dict[str, Any]:
    return modal(two.slack, lambda: two.slack.click(action_id, user=user, value=str(value)), action_id)


def test_modals_opened_in_one_workspace_and_submitted_from_the_other_are_refused(two: Two) -> None:
    one, p1, p2 = two.one, two.one.people, two.two.people
    forms = {
        "reflection": (
            _opened_in_t0001(two, observation_ids.REFLECT_ACTION, p1.mentee, one.observation_id),
            p2.mentee,
            {"reflection": "Pasted across workspaces."},
            "I can't find that observation",
        ),
        "observation correction": (
            _opened_in_t0001(two, observation_ids.EDIT_ACTION, p1.author, one.observation_id),
            p2.author,
            full_answers(**{"field:strengths": "Changed from T0002."}),
            "I can't find that observation",
        ),
        "meeting correction": (
            _opened_in_t0001(two, meeting_ids.CORRECT, p1.author, one.meeting_id),
            p2.author,
            {"held_on": "2026-11-23", "notes": "Changed from T0002."},
            "I can't find that meeting",
        ),
        "sign-off comment": (
            _opened_in_t0001(two, meeting_ids.SIGN_OFF_WITH_COMMENT, p1.mentee, one.meeting_id),
            p2.mentee,
            {"comment": "Signed from T0002."},
            "I can't find that meeting",
        ),
    }
    before = two.untouched()

    for name, (view, user, answers, told) in forms.items():
        result = two.slack.submit(view, state_for(view, answers), user=user, team_id=T2)

        assert result.status == 200 and result.body, name
        reply = result.json
        assert reply["response_action"] == "errors", name
        assert told in " ".join(reply["errors"].values()), (name, reply)
    assert two.untouched() == before


def test_a_meeting_in_t0002_cannot_review_t0001s_targets(two: Two) -> None:
    p2 = two.two.people
    view = modal(two.slack, lambda: two.slack.command("/meeting", mention(p2.mentee), user=p2.mentor, team_id=T2), "m")
    no_kestrel(block_text(view["blocks"]))
    forged = {
        **view,
        "private_metadata": json.dumps({**json.loads(view["private_metadata"]), "reviews": [two.one.target_id]}),
    }
    values = state_for(view, {"held_on": "2026-11-24", "notes": "Reviewed everything.", "wellbeing": "3"})
    values[f"review:{two.one.target_id}"] = {"value": {"type": "radio_buttons", "selected_option": {"value": "met"}}}
    before = two.untouched()

    result = two.slack.submit(forged, values, user=p2.mentor, team_id=T2)

    assert result.status == 200 and not result.body, result.text  # T0002's meeting is saved...
    assert two.untouched() == before  # ...and T0001's target is still open, unreviewed
    with two.stack.deps.db.unit_of_work() as session:
        target = session.get(Target, two.one.target_id)
        assert target is not None and target.status.value == "open"


# Only with separate people: in a Grid the same person is a mentee of T0002 too, so there is nothing to refuse.
@pytest.mark.parametrize("two", ["separate"], indirect=True)
def test_an_observation_in_t0002_of_someone_only_in_t0001_is_refused(two: Two) -> None:
    p2 = two.two.people
    view = modal(two.slack, lambda: two.slack.command("/observe", "", user=p2.lead, team_id=T2), "/observe")
    before = two.untouched()

    result = two.slack.submit(
        view, state_for(view, {**full_answers(), "teacher": two.one.people.mentee}), user=p2.lead, team_id=T2
    )

    assert result.json["response_action"] == "errors"
    assert "has no mentor yet" in result.json["errors"]["teacher"]
    assert two.untouched() == before


# --- commands in T0002 ------------------------------------------------------------------------------------------


def test_commands_in_t0002_show_only_t0002(two: Two) -> None:
    p1, p2 = two.one.people, two.two.people
    before = two.untouched()

    history = command(two.slack, "/observe", f"history {mention(p1.mentee)}", user=p2.lead, team=T2)
    roster = command(two.slack, "/mentor", "list", user=p2.admin, team=T2)
    about = command(two.slack, "/mentor", f"list {mention(p1.mentee)}", user=p2.admin, team=T2)
    targets = command(two.slack, "/target", f"list {mention(p1.mentee)}", user=p2.lead, team=T2)
    audit = command(two.slack, "/mentor", "audit", user=p2.admin, team=T2)

    no_kestrel(history, roster, about, targets, audit)
    for t0001_day in ("23 Nov 2026", "20 Nov 2026"):  # T0001's lessons
        assert t0001_day not in history
    assert "(trainee)" not in roster + about and "2 Nov 2026" not in roster + about  # T0001's mentorships
    assert "(ECT)" in roster and "9 Nov 2026" in roster
    with two.stack.deps.db.unit_of_work() as session:
        t0002_entries = len(session.scalars(select(AuditEntry.id).where(AuditEntry.team_id == T2)).all())
    assert f"of {t0002_entries} entries" in audit
    if two.grid:  # the same person is T0002's mentee: their T0002 records, and only those
        assert "22 Nov 2026" in history and "Osprey" in targets and f"<@{p1.mentee}>" in about
    else:
        assert "No observations" in history and "has no open targets" in targets
        assert f"<@{p1.mentee}>" not in roster
    assert two.untouched() == before


def test_roster_changes_in_t0002_never_reach_t0001(two: Two) -> None:
    p1, p2 = two.one.people, two.two.people
    before = two.untouched()

    command(two.slack, "/mentor", f"unassign {mention(p1.mentor)} {mention(p1.mentee)}", user=p2.admin, team=T2)
    command(two.slack, "/mentor", f"role remove {mention(p1.lead)} lead", user=p2.admin, team=T2)
    command(two.slack, "/meeting", f"cadence {mention(p1.mentee)} fortnightly", user=p2.admin, team=T2)
    command(two.slack, "/mentor", "slt-channel <#CNEW0002|new>", user=p2.admin, team=T2)

    assert two.untouched() == before


# --- digests ------------------------------------------------------------------------------------------------------


def test_t0002s_digest_never_counts_t0001s_rows(two: Two) -> None:
    deps, emulator = two.stack.deps, two.stack.emulator
    week = Week.containing(deps.now().date())
    t1 = deps.digests.build(T1, week)
    before = two.untouched()

    school = deps.digests.build(T2, week)
    report = digest_run(deps, make_web_client(deps.settings)).run(T2, week, deps.now())

    p2 = two.two.people
    assert {m.mentee_id for m in school.mentees} == {p2.mentee, p2.other_mentee}
    assert school.numbers()["by_kind"] == {"trainee": 0, "ect": 2, "staff": 0}
    mentee = next(m for m in school.mentees if m.mentee_id == p2.mentee)
    assert (mentee.observations_this_half, mentee.reflections_owed) == (1, 1)
    assert mentee.last_meeting == date(2026, 11, 22)  # T0001's meeting, a day later, isn't theirs
    assert (mentee.targets_set, mentee.started_on) == (2, date(2026, 11, 9))  # /target and the plan's target
    assert mentee.mentor_ids == [p2.mentor]
    t1_mentee = next(m for m in t1.mentees if m.mentee_id == two.one.people.mentee)
    assert t1_mentee.observations_this_half == 2  # T0001's own count, unaffected
    assert report.sent and not report.failed
    assert emulator.messages_to("CSLT0001") == []  # T0001's SLT channel hears nothing of T0002
    summary = block_text(emulator.messages_to("CSLT0002")[0]["blocks"])
    assert "trainee" not in summary and "2 ECTs" in summary
    if not two.grid:
        assert emulator.messages_to(two.one.people.lead) == []
    no_kestrel(*(json.dumps(call.params) for call in emulator.calls))
    assert two.untouched() == before


# --- privacy ------------------------------------------------------------------------------------------------------


def test_a_privacy_export_in_t0002_holds_nothing_from_t0001(two: Two) -> None:
    deps = two.stack.deps
    mentee = two.two.people.mentee  # in a Grid, also T0001's mentee

    data = privacy.export_person(deps.db, T2, mentee, deps.now())
    exported = privacy.to_json(data) + privacy.to_csv(data)

    no_kestrel(exported)
    assert "Osprey" in exported
    t0002_observations = {two.two.observation_id}
    assert {row.id for row in data.rows("observations")} == t0002_observations
    for table, rows in data.records.items():
        for row in rows:
            assert row.values.get("team_id", T2) == T2, (table, row.values)
    for row in data.rows("observation_entries") + data.rows("observation_revisions"):
        assert row.values["observation_id"] in t0002_observations
    if not two.grid:
        assert privacy.export_person(deps.db, T2, two.one.people.mentee, deps.now()).count == 0


def test_erasing_someone_in_t0002_leaves_t0001_as_it_was(two: Two) -> None:
    deps = two.stack.deps
    before = two.untouched()

    report = privacy.erase_person(deps.db, T2, two.two.people.mentee, deps.now())

    assert report.found
    assert two.untouched() == before
    erased_in_t2 = privacy.export_person(deps.db, T2, two.two.people.mentee, deps.now() + timedelta(seconds=1))
    assert erased_in_t2.rows("observations") == []


def test_certification_in_t0002_never_shows_or_changes_t0001s(two: Two) -> None:
    deps, slack = two.stack.deps, two.slack
    p1, p2 = two.one.people, two.two.people
    now = deps.now()
    kestrel_mentor = two.one.caller(deps, p1.mentor)
    draft = ReflectionDraft("Kestrel mornings.", ["1"], quote="Kestrel quote")
    kestrel = deps.certification.add_reflection(kestrel_mentor, draft, "kestrel-reflection", now)
    training = TrainingDraft(date(2026, 11, 20), "3", "Kestrel Hub", "Kestrel coaching")
    deps.certification.log_training(kestrel_mentor, training, "kestrel-training", now)
    lead1 = two.one.caller(deps, p1.lead)
    deps.certification.record_outcome(
        lead1, p1.mentor, "entry", PanelOutcome.AWARDED, date(2026, 11, 18), None, "kestrel-outcome", now
    )
    osprey = ReflectionDraft("Osprey mornings.", ["2"])
    deps.certification.add_reflection(two.two.caller(deps, p2.mentor), osprey, "osprey-reflection", now)
    before = two.untouched()

    portfolio = command(slack, "/mentor", f"portfolio {mention(p1.mentor)}", user=p2.lead, team=T2)
    register = command(slack, "/mentor", "register", user=p2.lead, team=T2)

    no_kestrel(portfolio, register)
    assert "No mentor has been certified here yet" in register
    if two.grid:  # the same person mentors in T0002: their T0002 portfolio, and only that
        [upload] = wait_until(lambda: two.stack.emulator.uploaded_files, timeout=30, what="the portfolio")
        text = pdf_text(upload["content"])
        no_kestrel(text)
        assert "Osprey mornings." in text and "Training 0 of 20 hours" in text
    else:
        assert "I don't know that mentor in this workspace." in portfolio
    view = modal(
        slack, lambda: slack.click(certification_ids.COMMENT_OPEN, user=p2.lead, value=p2.mentor, team_id=T2), "c"
    )
    state = state_for(view, {"comment": "Pasted into the other school."})
    state["reflection"] = {"value": {"type": "static_select", "selected_option": {"value": str(kestrel.id)}}}
    refused = slack.submit(view, state, user=p2.lead, team_id=T2).json
    assert refused["errors"] == {"reflection": "Pick one of the mentor's reflections."}
    assert two.untouched() == before


# --- coaching and peer visits --------------------------------------------------------------------------------------


def test_coaching_and_visit_buttons_with_t0001s_ids_find_nothing_in_t0002(two: Two) -> None:
    deps = two.stack.deps
    triplet = mentee_triplet(deps, two.one)
    visit = seed_visit(deps, two.one)
    round_id, version = seed_proposal(deps, two.one, "reading")
    before = two.untouched()
    presses = [
        (coaching_ids.BOOK_SESSION, "mentee", str(triplet), "I can't find that triplet"),
        (coaching_ids.MET, "mentee", str(triplet), "I can't find that triplet"),
        (coaching_ids.ADD_TAKEAWAY, "mentee", str(triplet), "I can't find that triplet"),
        (visit_ids.REPLY, "mentee", str(visit), "I can't find that visit"),
        (coaching_ids.APPROVE, "slt", f"{round_id}:{version}", "I can't find that proposal"),
        (coaching_ids.REGENERATE, "slt", f"{round_id}:{version}", "I can't find that proposal"),
    ]
    for action_id, who, value, told in presses:
        user = getattr(two.two.people, who)

        def press(action_id: str = action_id, user: str = user, value: str = value) -> Any:
            return two.slack.click(action_id, user=user, value=value, team_id=T2, channel="C0GENERAL")

        _, text = opened_or_replied(two.slack, press, action_id)
        assert told in text, (action_id, text)
        no_kestrel(text)
    assert two.untouched() == before

    school = deps.digests.add_coaching(deps.digests.build(T2, Week.containing(deps.now().date())))
    assert school.coaching is not None and school.coaching.staff == 0 and school.coaching.subjects == []

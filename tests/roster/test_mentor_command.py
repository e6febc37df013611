"""`/mentor` through the real HTTP endpoint, against the Slack emulator, reading back what was stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.roster import AuditEntry, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT


def mention(user_id: str, name: str = "someone") -> str:
    return f"<@{user_id}|{name}>"


@pytest.fixture(autouse=True)
def people(emulator: SlackEmulator) -> None:
    emulator.add_user(ADMIN, "head", real_name="Hana Head", is_admin=True)
    emulator.add_user(AMY, "amy", real_name="Amy Mentor", tz="Europe/London", email="amy@school.test")
    emulator.add_user(BEN, "ben", real_name="Ben Trainee", tz="Europe/Dublin", email="ben@school.test")
    emulator.add_user(CAT, "cat", real_name="Cat Colleague", email="cat@school.test")


def reply_to(slack: SlackDriver, text: str, *, user: str = ADMIN, team_id: str | None = None) -> str:
    """Run a /mentor command and return the ephemeral reply the user sees."""
    before = len(slack.emulator.responses)
    result = slack.command("/mentor", text, user=user, team_id=team_id)
    assert result.status == 200, result.text
    if result.body:  # answered in the ack itself
        body = result.json
        assert body["response_type"] == "ephemeral"
        return str(body["text"])
    response = wait_until(lambda: slack.emulator.responses[before:], what="the bot's reply")[0]
    assert response["response_type"] == "ephemeral"
    return str(response["text"]) + "\n" + _block_text(response.get("blocks", []))


def _block_text(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and "text" in element:
                parts.append(element["text"] if isinstance(element["text"], str) else element["text"]["text"])
    return "\n".join(parts)


def mentorships(db: Database) -> list[Mentorship]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Mentorship).order_by(Mentorship.id)))


def test_admin_assigns_a_mentor_and_the_mentorship_is_stored(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, f"assign {mention(AMY, 'amy')} {mention(BEN, 'ben')} trainee")

    assert f"<@{AMY}> now mentors <@{BEN}> as a trainee" in text
    assert "Tuesday 24 November 2026" in text
    [stored] = mentorships(db)
    assert (stored.team_id, stored.mentor_id, stored.mentee_id) == ("T0001", AMY, BEN)
    assert stored.mentee_kind is MenteeKind.TRAINEE
    assert stored.start_date == date(2026, 11, 24)
    assert stored.end_date == date(2027, 11, 23)
    assert stored.meeting_cadence.value == "weekly"
    assert stored.created_by == ADMIN and stored.ended_at is None
    with db.unit_of_work() as session:
        ben = session.scalars(select(Person).where(Person.user_id == BEN)).one()
        assert (ben.real_name, ben.tz, ben.email) == ("Ben Trainee", "Europe/Dublin", "ben@school.test")
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_assign_defaults_to_an_ect_and_repeating_it_changes_nothing(slack: SlackDriver, db: Database) -> None:
    first = reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}")
    again = reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}")

    assert "as an ECT" in first
    assert "already mentors" in again and "Nothing changed" in again
    assert len(mentorships(db)) == 1


def test_someone_who_is_not_an_admin_is_refused_politely_and_told_who_can(slack: SlackDriver, db: Database) -> None:
    reply_to(slack, "help", user=ADMIN)  # the bot meets the workspace admin

    text = reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}", user=CAT)

    assert "Sorry, only the bot's admins" in text
    assert f"Ask <@{ADMIN}>" in text
    assert mentorships(db) == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("dance", "I don't know `/mentor dance`"),
        ("assign amy ben", "“amy” isn't a mentor I can recognise"),
        ("assign @amy @ben", "pick them from the list Slack shows"),
        (f"assign {mention(AMY)}", "Name the mentor, then the mentee."),
        (f"assign {mention(AMY)} {mention(BEN)} pupil", "“pupil” isn't a kind of mentee"),
        (f"role add {mention(AMY)} headteacher", "“headteacher” isn't a role"),
        ("slt-channel general", "“general” isn't a channel"),
    ],
)
def test_bad_input_gets_a_one_line_explanation_with_the_usage(
    slack: SlackDriver, db: Database, command: str, expected: str
) -> None:
    result = slack.command("/mentor", command, user=ADMIN)

    assert result.status == 200
    assert result.json["response_type"] == "ephemeral"
    assert expected in result.json["text"]
    assert "Usage: `/mentor" in result.json["text"] or "/mentor help" in result.json["text"]
    assert mentorships(db) == []


def test_mentoring_yourself_is_refused(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, f"assign {mention(AMY)} {mention(AMY)}")
    assert "can't mentor themselves" in text
    assert mentorships(db) == []


def test_a_person_slack_does_not_know_is_reported(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, f"assign {mention(AMY)} {mention('UGHOST01')}")
    assert "I can't find <@UGHOST01>" in text
    assert mentorships(db) == []


def test_unassign_ends_the_mentorship_but_keeps_it(slack: SlackDriver, db: Database) -> None:
    reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}")

    text = reply_to(slack, f"unassign {mention(AMY)} {mention(BEN)}")
    again = reply_to(slack, f"unassign {mention(AMY)} {mention(BEN)}")

    assert f"<@{AMY}> no longer mentors <@{BEN}>" in text
    assert "nothing to end" in again
    [ended] = mentorships(db)
    assert ended.ended_at is not None and ended.ended_by == ADMIN
    assert "No mentorships yet" in reply_to(slack, "list")


def test_roles_are_granted_listed_and_removed(slack: SlackDriver, db: Database) -> None:
    assert f"<@{CAT}> is now a lead mentor" in reply_to(slack, f"role add {mention(CAT)} lead")
    assert f"<@{CAT}> is already lead mentor" in reply_to(slack, f"role add {mention(CAT)} lead")
    assert f"<@{AMY}> is now an SLT" in reply_to(slack, f"role add {mention(AMY)} slt")
    listing = reply_to(slack, "list")
    assert f"<@{CAT}>: lead mentor" in listing and f"<@{AMY}>: SLT" in listing

    assert f"<@{CAT}> is no longer lead mentor" in reply_to(slack, f"role remove {mention(CAT)} lead")
    with db.unit_of_work() as session:
        roles = {(g.user_id, g.role) for g in session.scalars(select(RoleGrant))}
    assert roles == {(AMY, Role.SLT)}


def test_a_granted_admin_can_change_the_roster(slack: SlackDriver, db: Database) -> None:
    reply_to(slack, f"role add {mention(CAT)} admin")

    text = reply_to(slack, f"assign {mention(AMY)} {mention(BEN)} staff", user=CAT)

    assert "now mentors" in text and "as a staff member" in text
    assert mentorships(db)[0].created_by == CAT


def test_slt_channel_is_stored_and_a_missing_invite_is_pointed_out(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    emulator.add_channel("CSLT0001", "slt", is_member=False)
    emulator.add_channel("CSLT0002", "leadership", is_member=True)

    first = reply_to(slack, "slt-channel <#CSLT0001|slt>")
    second = reply_to(slack, "slt-channel <#CSLT0002|leadership>")

    assert "posted in <#CSLT0001>" in first and "/invite @mentor-bot" in first
    assert "posted in <#CSLT0002>" in second and "/invite" not in second
    with db.unit_of_work() as session:
        assert session.get(Workspace, "T0001").slt_channel_id == "CSLT0002"  # type: ignore[union-attr]


def test_list_shows_a_colleague_only_their_own_part(slack: SlackDriver) -> None:
    reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}")
    reply_to(slack, f"assign {mention(CAT)} {mention(ADMIN)} staff")

    mine = reply_to(slack, "list", user=BEN)
    nosy = reply_to(slack, f"list {mention(CAT)}", user=BEN)
    everything = reply_to(slack, "list", user=ADMIN)

    assert f"<@{AMY}> mentors <@{BEN}>" in mine and f"<@{CAT}> mentors" not in mine
    assert "Sorry, only lead mentors, SLT and the bot's admins" in nosy
    assert f"<@{AMY}> mentors <@{BEN}>" in everything and f"<@{CAT}> mentors <@{ADMIN}>" in everything


def test_help_is_tailored_to_the_callers_role(slack: SlackDriver) -> None:
    admin_help = reply_to(slack, "help", user=ADMIN)
    colleague_help = reply_to(slack, "", user=CAT)

    assert "/mentor assign @mentor @mentee" in admin_help and "roster import" in admin_help
    assert "/mentor list" in colleague_help
    assert "/mentor assign" not in colleague_help and "workspace admins" in colleague_help


def test_people_are_refreshed_from_slack_when_stale(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, clock: FakeClock
) -> None:
    reply_to(slack, "help", user=CAT)
    emulator.add_user(CAT, "cat", real_name="Cat Married-Name", email="cat@school.test")

    reply_to(slack, "help", user=CAT)
    with db.unit_of_work() as session:
        assert session.scalars(select(Person.real_name).where(Person.user_id == CAT)).one() == "Cat Colleague"

    clock.now += timedelta(hours=25)
    reply_to(slack, "help", user=CAT)
    with db.unit_of_work() as session:
        assert session.scalars(select(Person.real_name).where(Person.user_id == CAT)).one() == "Cat Married-Name"


def test_workspaces_never_see_each_others_roster(slack: SlackDriver, db: Database, emulator: SlackEmulator) -> None:
    reply_to(slack, f"assign {mention(AMY)} {mention(BEN)}", team_id="T0001")

    other = reply_to(slack, "list", user=ADMIN, team_id="T0002")
    unassign_across = reply_to(slack, f"unassign {mention(AMY)} {mention(BEN)}", team_id="T0002")

    assert "No mentorships yet" in other and f"<@{BEN}>" not in other
    assert "nothing to end" in unassign_across
    [kept] = mentorships(db)
    assert kept.team_id == "T0001" and kept.ended_at is None


def test_home_tab_welcomes_with_the_callers_guide(slack: SlackDriver, emulator: SlackEmulator) -> None:
    result = slack.open_home(CAT)

    assert result.status == 200
    view = wait_until(lambda: emulator.published_home(CAT), what="the Home tab")
    assert view is not None
    assert view["type"] == "home"
    assert "mentor-bot" in _block_text(view["blocks"])

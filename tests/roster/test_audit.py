"""`/mentor audit [@person]`: admins read the latest audit entries; nobody else does. Signed requests end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.privacy import service as privacy
from storage.db import Database
from storage.roster import AuditEntry, Mentorship
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO
from tests.support.school import add_people
from tests.support.slack import block_text, mention, reply_to


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """The admin assigns Amy to mentor Ben, then makes Leo lead mentor an hour later."""
    add_people(emulator, ADMIN, AMY, BEN, CAT, LEO)
    reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(BEN)} trainee", user=ADMIN)
    clock.now += timedelta(hours=1)
    reply_to(slack, "/mentor", f"role add {mention(LEO)} lead", user=ADMIN)
    emulator.reset()


def last_blocks(emulator: SlackEmulator) -> list[dict[str, Any]]:
    return list(emulator.responses[-1].get("blocks", []))


def test_an_admin_sees_the_latest_entries_newest_first(slack: SlackDriver, db: Database) -> None:
    text = reply_to(slack, "/mentor", "audit", user=ADMIN)

    with db.unit_of_work() as session:
        mentorship_id = session.scalars(select(Mentorship.id)).one()
    assert "Audit log" in text
    grant = f"24 Nov 2026 11:00 · <@{ADMIN}> `role.grant` → <@{LEO}>"
    assign = f"24 Nov 2026 10:00 · <@{ADMIN}> `mentorship.assign` → <@{BEN}> · mentorship {mentorship_id}"
    assert grant in text and assign in text
    assert text.index(grant) < text.index(assign)
    assert "Showing the latest 2 of 2 entries" in text


def test_an_admin_can_look_at_one_person(slack: SlackDriver) -> None:
    text = reply_to(slack, "/mentor", f"audit {mention(BEN)}", user=ADMIN)

    assert f"Entries by or about <@{BEN}>" in text
    assert "`mentorship.assign`" in text and "`role.grant`" not in text


@pytest.mark.parametrize("who", [AMY, BEN, LEO])
def test_anyone_else_is_refused_and_told_whom_to_ask(slack: SlackDriver, who: str) -> None:
    text = reply_to(slack, "/mentor", "audit", user=who)

    assert f"Sorry, only the bot's admins can read the audit log. Ask <@{ADMIN}>." in text
    assert "mentorship.assign" not in text


def test_at_most_thirty_entries_within_slacks_limits_and_never_the_detail(
    slack: SlackDriver, emulator: SlackEmulator, db: Database, clock: FakeClock
) -> None:
    with db.unit_of_work() as session:
        for n in range(45):
            session.add(
                AuditEntry(
                    team_id="T0001",
                    actor_id=AMY,
                    action="observation.edit",
                    subject_id=BEN,
                    record_type="observation",
                    record_id=n,
                    detail="Strengths, Next steps — private words",
                    at=clock.now + timedelta(minutes=n),
                )
            )
        session.add(
            AuditEntry(
                team_id="T0001",
                actor_id="privacy-cli",
                action="privacy.erase",
                subject_id="UERASED0123456789",
                record_type="person",
                at=clock.now + timedelta(hours=2),
            )
        )
        session.add(AuditEntry(team_id="T9999", actor_id=ADMIN, action="role.grant", subject_id=CAT, at=clock.now))

    text = reply_to(slack, "/mentor", "audit", user=ADMIN)

    blocks = last_blocks(emulator)
    lines = [line for line in block_text(blocks).splitlines() if " · " in line]
    assert len(lines) == privacy.AUDIT_PAGE == 30
    assert "Showing the latest 30 of 48 entries" in text
    assert lines[0].endswith("`privacy-cli` `privacy.erase` → `UERASED0123456789` · person")
    assert "private words" not in text and "Strengths" not in text
    assert f"<@{CAT}>" not in text  # another workspace's entries stay there
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert emulator.block_errors == []


def test_the_help_shows_audit_to_admins_only(slack: SlackDriver) -> None:
    assert "/mentor audit [@person]" in reply_to(slack, "/mentor", "help", user=ADMIN)
    assert "/mentor audit" not in reply_to(slack, "/mentor", "help", user=AMY)


def test_bad_words_get_the_usage(slack: SlackDriver) -> None:
    text = reply_to(slack, "/mentor", f"audit {mention(BEN)} {mention(AMY)}", user=ADMIN)
    assert "Name at most one person." in text and "Usage: `/mentor audit [@person]`" in text

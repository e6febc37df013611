"""Coaching and visits over Slack, as people do it: a staff list of many colleagues, proposals and their buttons,
the group DMs and what each says."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.coaching import CoachingRound, RoundStatus, Triplet
from storage.db import Database
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import mention
from tests.support.slack import block_text


def staff_ids(count: int, prefix: str = "USTF") -> list[str]:
    return [f"{prefix}{n:05d}" for n in range(count)]


def add_staff_people(emulator: SlackEmulator, user_ids: list[str]) -> None:
    for n, user_id in enumerate(user_ids):
        emulator.add_user(user_id, f"teacher{n}", real_name=f"Teacher {n:02d}")


def mentions(user_ids: list[str]) -> str:
    return " ".join(mention(u) for u in user_ids)


def command_reply(slack: SlackDriver, command: str, text: str, *, user: str) -> dict[str, Any]:
    """A slash command's ephemeral answer, blocks and all (at once, or through the response_url)."""
    before = len(slack.emulator.responses)
    result = slack.command(command, text, user=user)
    assert result.status == 200, result.text
    if result.body:
        return dict(result.json)
    return dict(wait_until(lambda: slack.emulator.responses[before:], what=f"the reply to {command}")[0])


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button in {block_text(message.get('blocks') or [])}")


def press(slack: SlackDriver, action_id: str, value: str, *, user: str) -> dict[str, Any]:
    """Press a button on an ephemeral message; what replaced it (through the response_url)."""
    before = len(slack.emulator.responses)
    result = slack.click(action_id, user=user, value=value, channel="C0GENERAL")
    assert result.status == 200, result.text
    return dict(wait_until(lambda: slack.emulator.responses[before:], what=f"the answer to {action_id}")[0])


def rounds(db: Database) -> list[CoachingRound]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(CoachingRound)
                .order_by(CoachingRound.id)
                .options(selectinload(CoachingRound.triplets).selectinload(Triplet.members))
            )
        )


def approved_groups(db: Database, subject: str, term: str) -> list[list[str]]:
    [found] = [r for r in rounds(db) if (r.subject, r.term, r.status) == (subject, term, RoundStatus.APPROVED)]
    return [t.user_ids for t in found.triplets]


def triplets(db: Database) -> list[Triplet]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Triplet).order_by(Triplet.id).options(selectinload(Triplet.members))))


def in_channel(emulator: SlackEmulator, channel: str) -> list[str]:
    return [
        str(c.params.get("text", "")) + "\n" + block_text(c.params.get("blocks") or [])
        for c in emulator.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and c.response and c.response.get("ok")
    ]


def dms(emulator: SlackEmulator, user: str) -> list[str]:
    return [m.get("text", "") + "\n" + block_text(m.get("blocks") or []) for m in emulator.messages_to(user)]

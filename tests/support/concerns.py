"""Helpers to drive /concern and its buttons through signed requests, and to read what was stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.concerns import ids
from storage.concerns import Concern, SupportPlan
from storage.db import Database
from storage.roster import AuditEntry
from storage.targets import Target
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import AMY, BEN, mention
from tests.support.slack import block_text, modal_on_screen, modals_opened

SEEN = "Three lessons in a row started ten minutes late; Year 5 waited in the corridor."


def open_modal(slack: SlackDriver, *, user: str = AMY, about: str = BEN) -> dict[str, Any]:
    before = modals_opened(slack.emulator)
    result = slack.command(ids.CONCERN, mention(about), user=user)
    assert result.status == 200 and not result.body, result.text
    return modal_on_screen(slack.emulator, opened_before=before, what="the concern modal")


def answers(**overrides: Any) -> dict[str, Any]:
    filled: dict[str, Any] = {"category": "attendance", "seen_on": "2026-11-23", "what_seen": SEEN}
    filled.update(overrides)
    return filled


def submit(slack: SlackDriver, view: dict[str, Any], filled: dict[str, Any], *, user: str = AMY) -> Any:
    result = slack.submit(view, state_for(view, filled), user=user)
    assert result.status == 200, result.text
    return result.json if result.body else None


def concerns(db: Database) -> list[Concern]:
    with db.unit_of_work() as session:
        rows = list(session.scalars(select(Concern).order_by(Concern.id)))
        for row in rows:
            _ = row.entries
        return rows


def raise_one(slack: SlackDriver, db: Database, *, user: str = AMY, **overrides: Any) -> Concern:
    before = len(concerns(db))
    view = open_modal(slack, user=user)
    assert submit(slack, view, answers(**overrides), user=user) is None
    stored = concerns(db)
    assert len(stored) == before + 1
    return stored[-1]


def dms(emulator: SlackEmulator, user: str) -> list[str]:
    return [
        str(c.params.get("text", "")) + "\n" + block_text(c.params.get("blocks") or [])
        for c in emulator.calls_to("chat.postMessage")
        if c.params.get("channel") == user
    ]


def click(slack: SlackDriver, action_id: str, record: int | str, *, user: str) -> tuple[dict[str, Any] | None, str]:
    """Press a concern button in a DM: the modal it opens, or (None and) the refusal shown in a small modal."""
    emulator = slack.emulator
    opened, replies = len(emulator.calls_to("views.open")), len(emulator.responses)
    result = slack.click(action_id, user=user, value=str(record))
    assert result.status == 200, result.text
    wait_until(
        lambda: len(emulator.calls_to("views.open")) > opened or len(emulator.responses) > replies,
        what=f"the answer to {action_id}",
    )
    calls = emulator.calls_to("views.open")
    if len(calls) > opened:
        view = (calls[opened].response or {})["view"]
        if not view.get("callback_id"):  # a refusal, answered in a one-message modal
            return None, block_text(view["blocks"])
        return view, block_text(view["blocks"])
    return None, str(emulator.responses[replies].get("text", ""))


def audit(db: Database, action: str) -> list[tuple[str, str | None]]:
    with db.unit_of_work() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(r.actor_id, r.detail) for r in rows]


# --- support plans ------------------------------------------------------------------------------------------------
def plans(db: Database) -> list[SupportPlan]:
    with db.unit_of_work() as session:
        rows = list(session.scalars(select(SupportPlan).order_by(SupportPlan.id)))
        for row in rows:
            _ = row.reviews
        return rows


def plan_targets(db: Database, plan_id: int) -> list[Target]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Target).where(Target.plan_id == plan_id).order_by(Target.id)))


def open_plan_modal(slack: SlackDriver, *, user: str, about: str = BEN) -> dict[str, Any]:
    before = modals_opened(slack.emulator)
    result = slack.command(ids.CONCERN, f"{ids.PLAN_WORD} {mention(about)}", user=user)
    assert result.status == 200 and not result.body, result.text
    return modal_on_screen(slack.emulator, opened_before=before, what="the plan modal")


def plan_answers(**overrides: Any) -> dict[str, Any]:
    filled: dict[str, Any] = {
        "plan_areas": "Lessons start late; behaviour slips in the first ten minutes.",
        "plan_targets": "Start every lesson on time with a do-now task by Friday\nUse the seating plan in every lesson",
        "plan_support": "Weekly coaching with Amy; Leo observes a starter each week.",
        "plan_review_on": "2026-12-11",
        "plan_informed": "Dr Jo Reed (link tutor, Northfield University)",
    }
    filled.update(overrides)
    return filled

"""The Reviews part of the Home tab: one's own review schedule, then the teachers one reviews or leads."""

from __future__ import annotations

from datetime import date

from bot.home.service import Home
from bot.reviews.service import MenteeSchedule
from handlers.reviews.wording import schedule_lines
from handlers.slack.blocks import Block, context, divider, sections_for_lines

REVIEWS_SHOWN = 10  # teachers whose next reviews the Home lists


def review_blocks(home: Home) -> list[Block]:
    """Progress reviews, assessments and provider review points: one's own, then the teachers one reviews."""
    own = [s for s in home.reviews if s.mentee_id == home.user_id]

    def soonest(schedule: MenteeSchedule) -> tuple[date, str]:
        next_due = schedule.next_due()
        return (next_due.item.due_on if next_due else date.max, schedule.mentee_id)

    others = sorted((s for s in home.reviews if s.mentee_id != home.user_id), key=soonest)
    lines = ["*Reviews*"]
    for schedule in own:
        lines += schedule_lines(schedule, limit=3)
    for schedule in others[:REVIEWS_SHOWN]:
        lines += schedule_lines(schedule, mentee_id=schedule.mentee_id, limit=1)
    blocks = [divider(), *sections_for_lines(lines)]
    if len(others) > REVIEWS_SHOWN:
        blocks.append(context(f"…and {len(others) - REVIEWS_SHOWN} more teachers: soonest due first."))
    return blocks

"""How a schedule item reads, written once for the Home tab, the lead digest, reminders and `/review`."""

from __future__ import annotations

from bot.core.vocabulary import REVIEW_KIND_LABEL
from bot.reviews.service import ON_THE_DAY, ItemState, MenteeSchedule, Reminder
from handlers.slack.blocks import user_text

STATE_MARK = {
    "done": ":white_check_mark:",
    "signing": ":writing_hand:",
    "overdue": ":red_circle:",
    "due soon": ":large_orange_circle:",
    "upcoming": ":white_circle:",
}
STATE_WORDS = {
    "done": "signed",
    "signing": "saved, waiting for signatures",
    "overdue": "overdue",
    "due soon": "due soon",
    "upcoming": "",
}


def item_line(state: ItemState, *, mentee_id: str | None = None) -> str:
    item = state.item
    who = f"<@{mentee_id}>: " if mentee_id else ""
    estimated = " (estimated date)" if item.estimated else ""
    words = STATE_WORDS[state.state]
    tail = f" · _{words}_" if words else ""
    return f"{STATE_MARK[state.state]} {who}{user_text(item.title)} · due {item.due_on:%a %-d %b %Y}{estimated}{tail}"


def schedule_lines(schedule: MenteeSchedule, *, mentee_id: str | None = None, limit: int = 3) -> list[str]:
    """The next few items still to do (or the reason there is no schedule)."""
    if schedule.missing:
        who = f"<@{mentee_id}>: " if mentee_id else ""
        return [f":grey_question: {who}{schedule.missing}"]
    todo = [s for s in schedule.items if s.state not in ("done",)]
    if not todo:
        return [f":white_check_mark: {f'<@{mentee_id}>: ' if mentee_id else ''}every review is done and signed."]
    return [item_line(s, mentee_id=mentee_id) for s in todo[:limit]]


def reminder_text(reminder: Reminder) -> str:
    item = reminder.item
    when = "today" if reminder.notice == ON_THE_DAY else f"in a week, on {item.due_on:%A %-d %B}"
    return (
        f":spiral_calendar_pad: <@{reminder.mentee_id}>'s {user_text(item.title)} is due {when}. "
        f"Open it with `/review <@{reminder.mentee_id}>`: it is drafted from the records since the last review."
    )


def kind_label(state: ItemState) -> str:
    return REVIEW_KIND_LABEL[state.item.kind]

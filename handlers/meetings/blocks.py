"""The meeting notes DM with Sign off, the mentor's confirmation, notices, the cadence reply and the reminder."""

from __future__ import annotations

from typing import Any

from bot.core.due_dates import describe
from bot.core.vocabulary import CADENCE_LABEL, OUTCOME_LABEL
from bot.meetings.forms import (
    EDIT_WINDOW,
    WELLBEING,
    CadenceSet,
    Corrected,
    Logged,
)
from bot.reminders.service import DueReminder
from bot.targets.checks import ROLLOVER_FLAG_AT, standards_text
from handlers.meetings.ids import (
    CORRECT,
    CORRECT_BLOCK,
    LOG_MEETING,
    REMINDER_BLOCK,
    SIGN_OFF,
    SIGN_OFF_BLOCK,
    SIGN_OFF_WITH_COMMENT,
)
from handlers.slack.blocks import Block, button, context, header, section, sections_for_lines, truncate
from handlers.targets.blocks import (
    checks_text,
    mrkdwn,
    new_target_controls,
    short_date,
    slack_date,
)
from storage.meetings import Meeting, ReviewOutcome
from storage.roster import MeetingCadence

MAX_FLAGGED_SHOWN = 10
NOTE_PIECE = 2900  # characters of notes per line, so a section never cuts them short


def _pieces(text: str) -> list[str]:
    """The notes line by line, long lines split at a space so each fits in a section."""
    pieces: list[str] = []
    for line in text.splitlines() or [""]:
        while len(line) > NOTE_PIECE:
            cut = line.rfind(" ", 0, NOTE_PIECE)
            cut = cut if cut > 0 else NOTE_PIECE
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        pieces.append(line)
    return pieces


# --- messages ----------------------------------------------------------------------------------------


def _meta_line(meeting: Meeting) -> str:
    parts = [describe(meeting.held_on)]
    if meeting.duration_minutes:
        parts.append(f"{meeting.duration_minutes} minutes")
    return " · ".join(parts)


def _body_lines(logged_meeting: Meeting, reviewed: list[tuple[Any, ReviewOutcome]], new: list[Any]) -> list[str]:
    meeting = logged_meeting
    lines = [
        "*What we discussed*",
        *[">" + piece for piece in _pieces(mrkdwn(meeting.notes))],
    ]
    if meeting.wellbeing or meeting.wellbeing_note:
        score = f"{meeting.wellbeing} · {WELLBEING[meeting.wellbeing]}" if meeting.wellbeing else ""
        note = mrkdwn(meeting.wellbeing_note or "")
        lines.append(f"*Wellbeing:* {score}{' — ' if score and note else ''}{note}")
    if reviewed:
        lines.append("*Targets reviewed*")
        lines += [f"• {OUTCOME_LABEL[outcome]}: {mrkdwn(truncate(t.text, 400))}" for t, outcome in reviewed]
    if new:
        lines.append("*New targets*")
        lines += [
            f"• {mrkdwn(truncate(t.text, 400))} — due {describe(t.due_on)}"
            + (f" · {standards_text(t.standards)}" if t.standards else "")
            for t in new
        ]
    if meeting.next_meeting_on:
        lines.append(f"*Next meeting:* {describe(meeting.next_meeting_on)}")
    return lines


def mentee_notes_message(logged: Logged) -> tuple[str, list[Block]]:
    """The notes as the mentee gets them, with Sign off (or, once signed, when they did)."""
    meeting = logged.meeting
    text = f"Notes from your meeting with <@{meeting.author_id}> on {describe(meeting.held_on)}: please sign them off."
    blocks: list[Block] = [
        header(f"Meeting notes: {short_date(meeting.held_on)}"),
        context(f"With <@{meeting.author_id}> · {_meta_line(meeting)}"),
        *sections_for_lines(_body_lines(meeting, logged.reviewed, [n.target for n in logged.new_targets])),
        sign_off_part(meeting),
    ]
    return text, blocks


def sign_off_part(meeting: Meeting) -> Block:
    if meeting.signed_off_at is not None:
        comment = (
            f" with the comment: “{mrkdwn(truncate(meeting.mentee_comment, 2000))}”" if meeting.mentee_comment else ""
        )
        return context(
            f":white_check_mark: Signed off by <@{meeting.signed_off_by}> "
            f"on {slack_date(meeting.signed_off_at)}{comment}"
        )
    return {
        "type": "actions",
        "block_id": SIGN_OFF_BLOCK + str(meeting.id),
        "elements": [
            button("Sign off", SIGN_OFF, str(meeting.id), "primary"),
            button("Sign off with a comment", SIGN_OFF_WITH_COMMENT, str(meeting.id)),
        ],
    }


def mentor_confirmation(logged: Logged, *, dm_failed: bool) -> tuple[str, list[Block]]:
    """What the mentor gets once the meeting is saved: a summary, any flags, and the new targets' controls."""
    meeting = logged.meeting
    mentee = f"<@{meeting.mentee_id}>"
    text = f"Meeting with {mentee} on {describe(meeting.held_on)} saved."
    shared = (
        f"I couldn't DM {mentee}: please share the notes with them."
        if dm_failed
        else f"The notes are with {mentee} to sign off."
    )
    blocks: list[Block] = [
        section(f":white_check_mark: *Meeting with {mentee} on {describe(meeting.held_on)} saved.* {shared}")
    ]
    if logged.reviewed:
        counts: dict[ReviewOutcome, int] = {}
        for _, outcome in logged.reviewed:
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {OUTCOME_LABEL[o].lower()}" for o, n in counts.items())
        blocks.append(context(f"Targets reviewed: {summary}."))
    if logged.flagged:
        flagged = [
            f"• {mrkdwn(truncate(t.text, 300))} (carried over {t.carried_count} meetings)" for t in logged.flagged
        ]
        blocks += sections_for_lines(
            [
                f":triangular_flag_on_post: *Carried over {ROLLOVER_FLAG_AT} meetings and still open:*",
                *flagged[:MAX_FLAGGED_SHOWN],
                *([f"…and {len(flagged) - MAX_FLAGGED_SHOWN} more."] if len(flagged) > MAX_FLAGGED_SHOWN else []),
                "Consider a smaller next step, different support, or dropping it. "
                "Your lead mentor will see it in their digest.",
            ]
        )
    for new in logged.new_targets:
        target = new.target
        line = f"*New target:* {mrkdwn(truncate(target.text, 1500))}\nDue *{describe(target.due_on)}*"
        if target.due_phrase:
            line += f" (from “{mrkdwn(target.due_phrase)}”)"
        if target.standards:
            line += f" · {standards_text(target.standards)}" + (" (suggested)" if new.suggested else "")
        blocks.append(section(line))
        warnings = [c for c in new.checks if not c.ok]
        if warnings:
            blocks.append(context(checks_text(warnings)))
        blocks.append(new_target_controls(target))
    blocks.append(
        {
            "type": "actions",
            "block_id": CORRECT_BLOCK + str(meeting.id),
            "elements": [button("Correct the notes", CORRECT, str(meeting.id))],
        }
    )
    blocks.append(context(f"You can correct these notes until {slack_date(meeting.created_at + EDIT_WINDOW)}."))
    return text, blocks


def signed_off_notice(meeting: Meeting) -> str:
    text = f"<@{meeting.mentee_id}> signed off the notes of your meeting on {describe(meeting.held_on)}."
    if meeting.mentee_comment:
        text += f"\nTheir comment: “{mrkdwn(truncate(meeting.mentee_comment, 2500))}”"
    return text


def corrected_notice(corrected: Corrected) -> str:
    meeting = corrected.meeting
    what = ", ".join(corrected.changed)
    text = f"<@{meeting.author_id}> corrected the notes of your meeting on {describe(meeting.held_on)} ({what})."
    if corrected.sign_off_reset:
        text += " Please read them again and sign them off."
    return text


def cadence_text(result: CadenceSet) -> str:
    mentorship = result.mentorships[0]
    cadence = CADENCE_LABEL[mentorship.meeting_cadence]
    observations = mentorship.observations_per_half_term
    prefix = f"From now on, <@{result.mentee_id}> meets " if result.changed else f"<@{result.mentee_id}> meets "
    mentors = ", ".join(f"<@{m.mentor_id}>" for m in result.mentorships)
    return (
        f"{prefix}{mentors} {cadence}, and is observed at least {observations} times a half term. "
        "I remind the mentor, once, when a meeting is missed."
    )


# --- the reminder ------------------------------------------------------------------------------------


def reminder_message(reminder: DueReminder) -> tuple[str, list[Block]]:
    mentee = f"<@{reminder.mentee_id}>"
    last = f"the last was on {describe(reminder.last_meeting_on)}" if reminder.last_meeting_on else "none logged yet"
    if reminder.planned:
        line = f"You planned to meet {mentee} on {describe(reminder.due_on)}, but no meeting has been logged ({last})."
    elif reminder.cadence is MeetingCadence.TWICE_A_TERM and not reminder.early:
        line = (
            f"No meeting with {mentee} was logged in the half of term that ended on "
            f"{describe(reminder.due_on)} ({last})."
        )
    elif reminder.cadence is MeetingCadence.TWICE_A_TERM:
        line = (
            f"You haven't logged a meeting with {mentee} in this half of term, which ends on "
            f"{describe(reminder.due_on)} ({last})."
        )
    else:
        span = "week" if reminder.cadence is MeetingCadence.WEEKLY else "fortnight"
        line = f"It's been more than a school {span} without a meeting with {mentee} logged ({last})."
    text = f"Reminder: log your meeting with {mentee}."
    blocks: list[Block] = [
        section(f":spiral_calendar_pad: {line}"),
        {
            "type": "actions",
            "block_id": REMINDER_BLOCK + str(reminder.mentorship_id),
            "elements": [button("Log meeting", LOG_MEETING, reminder.mentee_id, "primary")],
        },
        context("Met already? Log it for the day it happened. I only send this once for each missed meeting."),
    ]
    return text, blocks

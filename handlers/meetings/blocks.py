"""The meeting modal, its correction modal, the notes DM with Sign off, and the meeting reminder."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.core.due_dates import describe
from bot.core.vocabulary import CADENCE_LABEL, KIND_LABEL, OUTCOME_LABEL
from bot.meetings.forms import (
    DURATION,
    DURATION_RANGE,
    EDIT_WINDOW,
    HELD_ON,
    NEW_TARGET_SLOTS,
    NEXT_MEETING,
    NOTES,
    WELLBEING,
    WELLBEING_NOTE,
    WELLBEING_SCORE,
    CadenceSet,
    Corrected,
    Logged,
    MeetingDraft,
    MeetingForm,
    NewTargetDraft,
    new_target_field,
)
from bot.reminders.service import DueReminder
from bot.targets.checks import ROLLOVER_FLAG_AT, TEXT_LIMIT, standards_text
from handlers.slack.blocks import Block, button, context, divider, header, section, sections_for_lines, truncate
from handlers.targets.blocks import (
    checks_text,
    mrkdwn,
    new_target_controls,
    short_date,
    slack_date,
    standards_options,
    target_line,
)
from storage.meetings import Meeting, ReviewOutcome
from storage.roster import MeetingCadence

# callback_id values
MEETING_CALLBACK = "meeting_log"
CORRECT_CALLBACK = "meeting_correct"
COMMENT_CALLBACK = "meeting_sign_off_comment"
# action_id values
VALUE = "value"  # every input's element
SIGN_OFF = "meeting_sign_off"
SIGN_OFF_WITH_COMMENT = "meeting_sign_off_with_comment"
CORRECT = "meeting_correct"
LOG_MEETING = "meeting_log_open"
# block_id values (the service's field names are the input blocks' ids)
REVIEW_BLOCK = "review:"  # + target id
COMMENT = "comment"
SIGN_OFF_BLOCK = "meeting:"  # + meeting id

MODAL_BLOCK_LIMIT = 100
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


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": truncate(label, 2000)},
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": truncate(hint, 2000)}
    return block


def _text_input(
    *, multiline: bool = False, initial: str | None = None, placeholder: str | None = None, max_length: int = TEXT_LIMIT
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    return element


def _date_input(initial: date | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker"}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _wellbeing_element(initial: int | None) -> dict[str, Any]:
    options = [_option(f"{score} · {label}", str(score)) for score, label in WELLBEING.items()]
    element: dict[str, Any] = {"type": "radio_buttons", "options": options}
    if initial in WELLBEING:
        element["initial_option"] = options[int(initial) - 1]
    return element


def _duration_element(initial: int | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(DURATION_RANGE[0]),
        "max_value": str(DURATION_RANGE[1]),
    }
    if initial is not None:
        element["initial_value"] = str(initial)
    return element


def _meeting_fields(
    *, held_on: date | None, duration: int | None, notes: str | None, wellbeing: int | None, wellbeing_note: str | None
) -> list[Block]:
    return [
        _input(
            HELD_ON,
            "Date of the meeting",
            _date_input(held_on),
            hint="Logging it late? Choose the day it happened.",
        ),
        _input(DURATION, "Length (minutes)", _duration_element(duration), optional=True),
        _input(
            NOTES,
            "What you discussed",
            _text_input(multiline=True, initial=notes),
            hint="Shared with your mentee, who signs them off.",
        ),
        _input(WELLBEING_SCORE, "Wellbeing: how are they doing?", _wellbeing_element(wellbeing), optional=True),
        _input(WELLBEING_NOTE, "Wellbeing note", _text_input(multiline=True, initial=wellbeing_note), optional=True),
    ]


# --- the meeting modal ------------------------------------------------------------------------------


def meeting_modal(form: MeetingForm) -> dict[str, Any]:
    mentee, mentorship = form.mentee, form.mentorship
    blocks: list[Block] = [
        section(
            f"Meeting with *{mrkdwn(mentee.display)}* ({KIND_LABEL[mentorship.mentee_kind]}), "
            f"meeting {CADENCE_LABEL[mentorship.meeting_cadence]}."
        ),
        context(_previous_summary(form)),
        *_meeting_fields(held_on=form.today, duration=None, notes=None, wellbeing=None, wellbeing_note=None),
        divider(),
        section(f"*Open targets ({form.open_total})*" + ("" if form.open_targets else "\nNone open.")),
    ]
    outcomes = [_option(label, outcome.value) for outcome, label in OUTCOME_LABEL.items()]
    progressing = next(o for o in outcomes if o["value"] == ReviewOutcome.PROGRESSING.value)
    for target in form.open_targets:
        blocks.append(
            _input(
                REVIEW_BLOCK + str(target.id),
                _plain(target_line(target, form.today)),
                {"type": "radio_buttons", "options": outcomes, "initial_option": progressing},
                optional=True,
            )
        )
    if form.open_total > len(form.open_targets):
        hidden = form.open_total - len(form.open_targets)
        blocks.append(
            context(
                f"{hidden} more open targets aren't listed here (a modal has room for {len(form.open_targets)}): "
                f"close them with `/target list @{mentee.name}`."
            )
        )
    blocks += [
        divider(),
        section("*New targets*"),
        context(
            "Write each as an action you could see in a lesson. Leave “Due” blank to take the date from the "
            "words (“… by Friday”), or else the next meeting. Standards left blank are suggested from the words."
        ),
    ]
    for slot in range(NEW_TARGET_SLOTS):
        blocks += [
            _input(
                new_target_field("text", slot),
                f"New target {slot + 1}",
                _text_input(multiline=True, placeholder="e.g. Use cold calling in every lesson by Monday week"),
                optional=True,
            ),
            _input(
                new_target_field("due", slot),
                "Due",
                _text_input(placeholder="e.g. by Friday, end of term, 30/11", max_length=200),
                optional=True,
            ),
            _input(
                new_target_field("standards", slot),
                "Teachers' Standards",
                {
                    "type": "multi_static_select",
                    "placeholder": {"type": "plain_text", "text": "Suggested if left blank"},
                    **standards_options(),
                },
                optional=True,
            ),
        ]
    blocks.append(divider())
    blocks.append(_input(NEXT_MEETING, "Next meeting", _date_input(None), optional=True))
    assert len(blocks) <= MODAL_BLOCK_LIMIT, len(blocks)
    metadata = {"mentee": mentee.user_id, "reviews": [t.id for t in form.open_targets]}
    return {
        "type": "modal",
        "callback_id": MEETING_CALLBACK,
        "title": {"type": "plain_text", "text": "Log meeting"},
        "submit": {"type": "plain_text", "text": "Save and share"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _plain(markdown: str) -> str:
    """An input label is plain text: drop the mrkdwn emphasis and entities target_line adds."""
    return markdown.replace("*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _previous_summary(form: MeetingForm) -> str:
    previous = form.previous
    if previous is None:
        return f"This is the first meeting logged with {mrkdwn(form.mentee.display)}."
    line = f"Last meeting: {describe(previous.held_on)}"
    if previous.next_meeting_on is not None:
        line += f"; this one was planned for {describe(previous.next_meeting_on)}"
    summary = " ".join(previous.notes.split())
    return f"{line}.\n>{mrkdwn(truncate(summary, 280))}"


def correction_modal(meeting: Meeting) -> dict[str, Any]:
    blocks: list[Block] = [
        context(
            f"Correcting your meeting with <@{meeting.mentee_id}> logged for {describe(meeting.held_on)}. "
            "The change is kept with your name and the time"
            + (", and they'll be asked to sign off again." if meeting.signed_off_at else ".")
        ),
        *_meeting_fields(
            held_on=meeting.held_on,
            duration=meeting.duration_minutes,
            notes=meeting.notes,
            wellbeing=meeting.wellbeing,
            wellbeing_note=meeting.wellbeing_note,
        ),
        _input(NEXT_MEETING, "Next meeting", _date_input(meeting.next_meeting_on), optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": CORRECT_CALLBACK,
        "title": {"type": "plain_text", "text": "Correct meeting"},
        "submit": {"type": "plain_text", "text": "Save correction"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"meeting": meeting.id}),
        "blocks": blocks,
    }


def comment_modal(meeting_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": COMMENT_CALLBACK,
        "title": {"type": "plain_text", "text": "Sign off with comment"},
        "submit": {"type": "plain_text", "text": "Sign off"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"meeting": meeting_id}),
        "blocks": [
            _input(
                COMMENT,
                "Your comment",
                _text_input(multiline=True),
                hint="Anything you'd add or see differently. Your mentor sees it with your sign-off.",
            )
        ],
    }


# --- reading what was submitted ----------------------------------------------------------------------


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(VALUE) or {}


def _text(values: dict[str, Any], block_id: str) -> str | None:
    return _value(values, block_id).get("value")


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def read_meeting_state(values: dict[str, Any], metadata: dict[str, Any]) -> MeetingDraft:
    duration_text = (_text(values, DURATION) or "").strip() or None
    duration = int(duration_text) if duration_text and duration_text.isdigit() else None
    wellbeing = _selected(values, WELLBEING_SCORE)
    reviews: dict[int, ReviewOutcome | None] = {}
    for target_id in metadata.get("reviews", []):
        chosen = _selected(values, REVIEW_BLOCK + str(target_id))
        reviews[int(target_id)] = ReviewOutcome(chosen) if chosen in set(ReviewOutcome) else None
    new_targets = []
    for slot in range(NEW_TARGET_SLOTS):
        options = _value(values, new_target_field("standards", slot)).get("selected_options") or []
        new_targets.append(
            NewTargetDraft(
                slot=slot,
                text=_text(values, new_target_field("text", slot)),
                due_text=_text(values, new_target_field("due", slot)),
                standards=[o["value"] for o in options if isinstance(o, dict)] or None,
            )
        )
    return MeetingDraft(
        mentee_id=str(metadata.get("mentee", "")),
        held_on=_date(values, HELD_ON),
        notes=_text(values, NOTES),
        duration_minutes=duration,
        duration_text=duration_text,
        wellbeing=int(wellbeing) if wellbeing and wellbeing.isdigit() else None,
        wellbeing_note=_text(values, WELLBEING_NOTE),
        next_meeting_on=_date(values, NEXT_MEETING),
        reviews=reviews,
        new_targets=new_targets,
    )


def read_comment(values: dict[str, Any]) -> str | None:
    return _text(values, COMMENT)


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
            "block_id": "meeting_correct:" + str(meeting.id),
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
            "block_id": "meeting_reminder:" + str(reminder.mentorship_id),
            "elements": [button("Log meeting", LOG_MEETING, reminder.mentee_id, "primary")],
        },
        context("Met already? Log it for the day it happened. I only send this once for each missed meeting."),
    ]
    return text, blocks

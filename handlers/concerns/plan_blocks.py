"""Block Kit for support plans: the plan and review modals, the plan as read, the DMs and the review reminder."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.concerns.plans import (
    AREAS,
    INFORMED,
    MENTEE,
    NEXT_REVIEW_ON,
    NOTES,
    OUTCOME,
    REVIEW_ON,
    STANDARDS_FIELD,
    SUPPORT,
    TARGETS,
    PlanDraft,
    PlanForm,
    PlanView,
    Reviewed,
    ReviewReminder,
)
from bot.core.due_dates import describe
from bot.core.vocabulary import PLAN_OUTCOME_LABEL, PLAN_STATUS_LABEL
from bot.targets.checks import standards_text
from handlers.concerns import ids
from handlers.concerns.blocks import (
    STANDARD_OPTIONS,
    VIEW_BLOCK_LIMIT,
    _date,
    _date_element,
    _input,
    _option,
    _plain,
    _selected,
    _text_element,
    _value,
    escaped,
    quoted,
    when,
)
from handlers.slack.blocks import Block, button, context, header, section
from storage.concerns import PlanOutcome, SupportPlan

OUTCOME_OPTIONS = [_option(label, outcome.value) for outcome, label in PLAN_OUTCOME_LABEL.items()]
TARGETS_HINT = (
    "One target per line, up to five, each with when it's due in plain words: "
    "“Plan every lesson with a clear objective by Friday”. Without a date, it's due by the next meeting."
)


def plan_modal(form: PlanForm) -> dict[str, Any]:
    blocks: list[Block] = []
    if form.mentee is None:
        blocks.append(_input(MENTEE, "Who is the plan for?", {"type": "users_select"}))
    else:
        blocks.append(section(f"A {form.plan_name} for *{escaped(form.mentee.display)}*."))
    if form.concern_id is not None:
        blocks.append(context("Started from a concern: it is marked as moved to this plan, on its trail."))
    standards: dict[str, Any] = {"type": "multi_static_select", "options": STANDARD_OPTIONS}
    if form.standards:
        standards["initial_options"] = [o for o in STANDARD_OPTIONS if o["value"] in form.standards]
    blocks += [
        _input(AREAS, "Areas of concern", _text_element(form.areas)),
        _input(STANDARDS_FIELD, "Teachers' Standards they link to", standards, optional=True),
        _input(TARGETS, "Targets (1 to 5)", _text_element(), hint=TARGETS_HINT),
        _input(SUPPORT, "Support to be given, and by whom", _text_element()),
        _input(REVIEW_ON, "Review date", _date_element(None), hint="A school day after today."),
        _input(
            INFORMED,
            "Who else is informed",
            _text_element(multiline=False),
            optional=True,
            hint="Names, e.g. the provider's link tutor or the appropriate body.",
        ),
    ]
    metadata = {"mentee": form.mentee.user_id if form.mentee else None, "concern": form.concern_id}
    return {
        "type": "modal",
        "callback_id": ids.PLAN_CALLBACK,
        "title": _plain("Support plan", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def read_plan_state(values: dict[str, Any], metadata: dict[str, Any]) -> PlanDraft:
    concern = metadata.get("concern")
    mentee = metadata.get("mentee") or _value(values, MENTEE).get("selected_user") or ""
    return PlanDraft(
        mentee_id=str(mentee),
        areas=_value(values, AREAS).get("value"),
        standards=[o["value"] for o in _value(values, STANDARDS_FIELD).get("selected_options") or []],
        targets=_value(values, TARGETS).get("value"),
        support=_value(values, SUPPORT).get("value"),
        review_on=_date(values, REVIEW_ON),
        informed=_value(values, INFORMED).get("value"),
        concern_id=concern if isinstance(concern, int) else None,
    )


def _plan_lines(view: PlanView) -> list[str]:
    plan = view.plan
    lines = [
        f"*Areas of concern*\n{quoted(plan.areas)}",
    ]
    if plan.standards:
        lines.append(f"*Standards:* {standards_text(plan.standards)}")
    targets = [f"{n}. {escaped(t.text)} (by {describe(t.due_on)})" for n, t in enumerate(view.targets, start=1)]
    lines.append("*Targets*\n" + ("\n".join(targets) or "None"))
    lines.append(f"*Support, and by whom*\n{quoted(plan.support)}")
    lines.append(f"*Review by* {describe(plan.review_on)} · owner <@{plan.owner_id}>")
    if plan.informed:
        lines.append(f"*Also informed:* {escaped(plan.informed)}")
    signed = (
        f"Signed as seen by <@{plan.mentee_id}> {when(plan.signed_at)}."
        if plan.signed_at
        else f"Not yet signed as seen by <@{plan.mentee_id}>."
    )
    lines.append(signed)
    return lines


def _actions(view: PlanView, *, see: bool) -> list[Block]:
    elements = []
    if see:
        elements.append(button("See the plan", ids.SEE_PLAN, str(view.plan.id)))
    if view.can_sign:
        elements.append(button("I've seen it", ids.SIGN_PLAN, str(view.plan.id), "primary"))
    if view.can_review:
        elements.append(button("Record the review", ids.REVIEW_PLAN, str(view.plan.id)))
    return [{"type": "actions", "block_id": ids.PLAN_ACTIONS_BLOCK, "elements": elements}] if elements else []


def plan_view_modal(view: PlanView) -> dict[str, Any]:
    plan = view.plan
    blocks: list[Block] = [
        section(f"*{view.plan_name.capitalize()} for {escaped(view.name(plan.mentee_id))}*"),
        *(section(line) for line in _plan_lines(view)),
        context(f"Started {when(plan.created_at)} · {PLAN_STATUS_LABEL[plan.status]}"),
    ]
    for review in plan.reviews[-20:]:
        line = f"*Review:* {PLAN_OUTCOME_LABEL[review.outcome]} · <@{review.author_id}>, {when(review.created_at)}"
        if review.next_review_on:
            line += f"\nNext review by {describe(review.next_review_on)}."
        if review.notes:
            line += "\n" + quoted(review.notes)
        blocks.append(section(line))
    blocks += _actions(view, see=False)
    return {
        "type": "modal",
        "callback_id": ids.PLAN_VIEW_CALLBACK,
        "title": _plain("Support plan", 24),
        "close": _plain("Close", 24),
        "private_metadata": json.dumps({"plan": plan.id}),
        "blocks": blocks[:VIEW_BLOCK_LIMIT],
    }


def mentee_plan_dm(view: PlanView) -> tuple[str, list[Block]]:
    """To the mentee: the plan in full, with I've seen it."""
    plan = view.plan
    text = f"A {view.plan_name} has been agreed for you"
    blocks: list[Block] = [
        header(f"Your {view.plan_name}"),
        section(f"<@{plan.owner_id}> has started a {view.plan_name} with you. Please read it and sign it as seen."),
        *(section(line) for line in _plan_lines(view)),
        *_actions(view, see=False),
    ]
    return text, blocks


def plan_started_notice(view: PlanView, *, mentee_reached: bool) -> str:
    plan = view.plan
    text = (
        f"The {view.plan_name} for <@{plan.mentee_id}> is saved with {len(view.targets)} "
        f"target{'s' if len(view.targets) != 1 else ''}, to be reviewed by {describe(plan.review_on)}. "
        "You'll be reminded a week before and on the day."
    )
    if not mentee_reached:
        text += " I couldn't DM the mentee: they can read it on their Home tab."
    return text


def review_reminder(reminder: ReviewReminder) -> tuple[str, list[Block]]:
    when_text = "today" if reminder.on_day else f"on {describe(reminder.review_on)}"
    text = f"The support plan for <@{reminder.mentee_id}> is due for review {when_text}."
    blocks: list[Block] = [
        section(f":calendar: {text} Record the outcome when you have met."),
        {
            "type": "actions",
            "block_id": f"{ids.REMINDER_BLOCK}:{reminder.plan_id}",
            "elements": [
                button("See the plan", ids.SEE_PLAN, str(reminder.plan_id)),
                button("Record the review", ids.REVIEW_PLAN, str(reminder.plan_id), "primary"),
            ],
        },
    ]
    return text, blocks


def review_modal(plan: SupportPlan) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.PLAN_REVIEW_CALLBACK,
        "title": _plain("Review the plan", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"plan": plan.id}),
        "blocks": [
            section(f"Review of the support plan for <@{plan.mentee_id}> (due {describe(plan.review_on)})."),
            _input(OUTCOME, "Outcome", {"type": "radio_buttons", "options": OUTCOME_OPTIONS}),
            _input(
                NEXT_REVIEW_ON,
                "Next review date (if continued)",
                _date_element(None),
                optional=True,
                hint="A school day after today.",
            ),
            _input(NOTES, "Notes", _text_element(), optional=True),
        ],
    }


def read_review_state(values: dict[str, Any]) -> tuple[PlanOutcome | None, str | None, date | None]:
    outcome = _selected(values, OUTCOME)
    chosen = PlanOutcome(outcome) if outcome in set(PlanOutcome) else None
    return chosen, _value(values, NOTES).get("value"), _date(values, NEXT_REVIEW_ON)


def reviewed_notice(reviewed: Reviewed) -> str:
    plan = reviewed.plan
    outcome = reviewed.review.outcome
    if outcome is PlanOutcome.CONTINUED:
        return f"The support plan for <@{plan.mentee_id}> continues, to be reviewed by {describe(plan.review_on)}."
    return f"The support plan for <@{plan.mentee_id}> is {PLAN_STATUS_LABEL[plan.status]}."

"""What /target shows: the confirm message, the DMs about a target, and the list of open targets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.core.due_dates import describe
from bot.core.vocabulary import TARGET_STATUS_LABEL as STATUS_LABEL
from bot.targets.checks import STANDARDS, Check, standards_text
from bot.targets.service import DraftView, TargetList, TargetOverview
from handlers.slack.blocks import MESSAGE_BLOCK_LIMIT, Block, button, context, header, section, truncate
from handlers.targets.ids import (
    DRAFT_BLOCK,
    DRAFT_CHOICE_BLOCK,
    DRAFT_CONFIRM,
    DRAFT_DAY_AFTER,
    DRAFT_DAY_BEFORE,
    DRAFT_DUE,
    DRAFT_KEEP_PASSED,
    DRAFT_NEXT_YEAR,
    DRAFT_STANDARDS,
    TARGET_BLOCK,
    TARGET_DROP,
    TARGET_DUE,
    TARGET_MET,
    TARGET_NOT_MET,
    TARGET_READY,
    TARGET_STANDARDS,
)
from storage.targets import Target, TargetStatus

CLOSE_ACTIONS = {TARGET_MET: TargetStatus.MET, TARGET_NOT_MET: TargetStatus.NOT_MET, TARGET_DROP: TargetStatus.DROPPED}
MAX_LISTED = 20  # targets in one /target list message: two blocks each, inside Slack's 50

_SLACK_TOKEN = re.compile(r"(<[@#!][^>]*>)")


def mrkdwn(text: str) -> str:
    """Text people typed, safe in mrkdwn: & < > escaped, but @mentions and #channels kept as links."""
    parts = _SLACK_TOKEN.split(text)
    return "".join(
        part if _SLACK_TOKEN.fullmatch(part) else part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for part in parts
    )


def slack_date(moment: datetime) -> str:
    """A moment as Slack shows it in each reader's own time zone ("Tuesday, November 24th")."""
    return f"<!date^{int(moment.timestamp())}^{{date_long}}|{moment:%-d %B %Y}>"


def short_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def standards_options(codes: Sequence[str] = ()) -> dict[str, Any]:
    """Options (and initial options) for a Teachers' Standards multi-select."""
    options = [{"text": {"type": "plain_text", "text": label}, "value": code} for code, label in STANDARDS.items()]
    chosen = [option for option in options if option["value"] in set(codes)]
    return {"options": options, **({"initial_options": chosen} if chosen else {})}


def standards_select(action_id: str, codes: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "multi_static_select",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": "Teachers' Standards"},
        **standards_options(codes),
    }


def datepicker(action_id: str, initial: date | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "datepicker",
        "action_id": action_id,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def checks_text(checks: Sequence[Check]) -> str:
    lines = []
    for check in checks:
        lines.append(f":white_check_mark: {check.label}" if check.ok else f":warning: *{check.label}?* {check.why}")
    return "\n".join(lines)


def target_line(target: Target, today: date) -> str:
    """One target on one line: its words, when it's due, its standards and where it stands."""
    bits = [f"due {short_date(target.due_on)}"]
    if target.is_overdue(today):
        bits.append("*overdue*")
    if target.standards:
        bits.append(standards_text(target.standards))
    if target.status is not TargetStatus.OPEN:
        bits.append(STATUS_LABEL[target.status])
    elif target.ready_for_review_at is not None:
        bits.append("ready for review")
    if target.flagged_at is not None and target.status is TargetStatus.OPEN:
        bits.append(f"carried over {target.carried_count} meetings")
    return f"{mrkdwn(truncate(target.text, 600))} — {' · '.join(bits)}"


# --- /target: the confirm message (ephemeral) ----------------------------------------------------


def draft_message(view: DraftView) -> tuple[str, list[Block]]:
    draft = view.draft
    mentee = f"<@{draft.mentee_id}>"
    if view.saved is not None:
        target = view.saved
        text = f"Target saved for {mentee}: due {describe(target.due_on)}."
        saved: list[Block] = [
            section(f":white_check_mark: *Target saved for {mentee}*\n{mrkdwn(target.text)}"),
            context(
                f"Due *{describe(target.due_on)}*"
                + (f" · {standards_text(target.standards)}" if target.standards else "")
                + f" · sent to {mentee}, who can mark it ready for review."
            ),
        ]
        return text, saved
    due = f"*Due {describe(draft.due_on)}*"
    if draft.due_phrase:
        due += f" (from “{mrkdwn(draft.due_phrase)}”)"
    elif not draft.due_given:
        due += " (suggested: no date was given)"
    blocks: list[Block] = [
        context(f"New target for {mentee}"),
        section(mrkdwn(draft.text)),
        section(due),
    ]
    if view.problem:
        blocks.append(section(f":warning: {view.problem}"))
    if view.passed is not None:
        return _passed_message(view, blocks)
    if view.not_school_day is not None:
        blocks.extend(_school_day_choice(draft.key, view))
    blocks.append(context(checks_text(view.checks)))
    blocks.append(
        {
            "type": "actions",
            "block_id": DRAFT_BLOCK + draft.key,
            "elements": [
                button("Confirm", DRAFT_CONFIRM, draft.key, "primary"),
                datepicker(DRAFT_DUE, draft.due_on, "Change date"),
                standards_select(DRAFT_STANDARDS, draft.standards),
            ],
        }
    )
    hint = "Suggested from the words: change them if they're not right." if draft.standards else ""
    blocks.append(context(f"Confirm to save it and send it to {mentee}. {hint}".strip()))
    return f"Target for {mentee}: due {describe(draft.due_on)}. Confirm or change the date.", blocks


def _date_button(text: str, action_id: str, key: str, day: date, style: str | None = None) -> dict[str, Any]:
    return button(text, action_id, f"{key}|{day.isoformat()}", style)


def _passed_message(view: DraftView, blocks: list[Block]) -> tuple[str, list[Block]]:
    """The day and month typed has just gone: no Confirm until the mentor says which year."""
    passed = view.passed
    assert passed is not None
    key, mentee = view.draft.key, f"<@{view.draft.mentee_id}>"
    days = (view.today - passed.passed).days
    blocks[2] = section(  # in place of "Due …": no date is settled yet
        f":warning: *{mrkdwn(passed.raw)} has passed:* {describe(passed.passed)} was "
        f"{days} day{'' if days == 1 else 's'} ago. Which did you mean?"
    )
    blocks.append(
        {
            "type": "actions",
            "block_id": DRAFT_BLOCK + key,
            "elements": [
                _date_button(f"{short_date(passed.passed)} {passed.passed.year} (overdue)", DRAFT_KEEP_PASSED, key,
                             passed.passed),
                _date_button(f"{short_date(passed.next_year)} {passed.next_year.year}", DRAFT_NEXT_YEAR, key,
                             passed.next_year, "primary"),
                datepicker(DRAFT_DUE, None, "Another date"),
            ],
        }
    )  # fmt: skip
    blocks.append(context(f"Then confirm to save it and send it to {mentee}."))
    text = f"Target for {mentee}: {mrkdwn(passed.raw)} has passed. This year's date (overdue) or next year's?"
    return text, blocks


def _school_day_choice(key: str, view: DraftView) -> list[Block]:
    """A weekend or holiday date: say so, and offer the school days either side as buttons."""
    advice = view.not_school_day
    assert advice is not None
    elements = []
    if advice.before is not None:
        elements.append(_date_button(f"{short_date(advice.before)} (before)", DRAFT_DAY_BEFORE, key, advice.before))
    if advice.after is not None:
        elements.append(_date_button(f"{short_date(advice.after)} (after)", DRAFT_DAY_AFTER, key, advice.after))
    blocks: list[Block] = [section(f":warning: {advice.message()} {advice.suggestion()}".strip())]
    if elements:
        blocks.append({"type": "actions", "block_id": DRAFT_CHOICE_BLOCK + key, "elements": elements})
    return blocks


# --- DMs ---------------------------------------------------------------------------------------


def mentee_target_message(target: Target, today: date) -> tuple[str, list[Block]]:
    """Sent to the mentee when a target is set with /target; its button marks it ready for review."""
    text = f"<@{target.set_by}> set you a new target, due {describe(target.due_on)}."
    blocks: list[Block] = [
        section(f"<@{target.set_by}> set you a new target:\n>{mrkdwn(truncate(target.text, 2800))}"),
        context(
            f"Due *{describe(target.due_on)}*" + (f" · {standards_text(target.standards)}" if target.standards else "")
        ),
    ]
    blocks.append(_ready_part(target))
    return text, blocks


def _ready_part(target: Target) -> Block:
    if target.status is not TargetStatus.OPEN:
        return context(f"This target is {STATUS_LABEL[target.status]}.")
    if target.ready_for_review_at is not None:
        return context(
            f":raised_hand: You marked it ready for review on {slack_date(target.ready_for_review_at)}: "
            "your mentor has been told."
        )
    return {
        "type": "actions",
        "block_id": TARGET_BLOCK + str(target.id),
        "elements": [button("Ready for review", TARGET_READY, str(target.id), "primary")],
    }


def ready_for_review_notice(target: Target, today: date) -> tuple[str, list[Block]]:
    """Sent to the mentee's mentors when they mark a target ready: buttons close it."""
    text = f"<@{target.mentee_id}> says a target is ready for review."
    blocks: list[Block] = [
        section(f"<@{target.mentee_id}> says this target is ready for review:\n>{mrkdwn(truncate(target.text, 2800))}"),
        context(f"Set by <@{target.set_by}> · due {describe(target.due_on)}"),
        close_actions(target),
    ]
    return text, blocks


def close_actions(target: Target) -> Block:
    if target.status is not TargetStatus.OPEN:
        when = f" on {slack_date(target.closed_at)}" if target.closed_at else ""
        return context(f"Marked *{STATUS_LABEL[target.status]}* by <@{target.closed_by}>{when}.")
    return {
        "type": "actions",
        "block_id": TARGET_BLOCK + str(target.id),
        "elements": [
            button("Met", TARGET_MET, str(target.id), "primary"),
            button("Not met", TARGET_NOT_MET, str(target.id)),
            button("Drop", TARGET_DROP, str(target.id)),
        ],
    }


def closed_notice(target: Target) -> str:
    return (
        f"<@{target.closed_by}> marked your target *{STATUS_LABEL[target.status]}*: "
        f"{mrkdwn(truncate(target.text, 300))}"
    )


def new_target_controls(target: Target) -> Block:
    """A saved target's date and standards, changeable from the mentor's confirmation."""
    return {
        "type": "actions",
        "block_id": TARGET_BLOCK + str(target.id),
        "elements": [
            datepicker(TARGET_DUE, target.due_on, "Change date"),
            standards_select(TARGET_STANDARDS, target.standards),
        ],
    }


# --- /target list ----------------------------------------------------------------------------------


def target_list_blocks(listing: TargetList) -> tuple[str, list[Block]]:
    who = f"<@{listing.mentee_id}>"
    count = len(listing.targets)
    title = f"Open targets for {listing.mentee_name}"
    blocks: list[Block] = [header(title)]
    if not listing.targets:
        blocks.append(section(f"{who} has no open targets."))
        return f"{who} has no open targets.", blocks
    for target in listing.targets[:MAX_LISTED]:
        blocks.append(section("• " + target_line(target, listing.today)))
        if listing.can_close:
            blocks.append(close_actions(target))
        elif listing.can_mark_ready:
            blocks.append(_ready_part(target))
    if count > MAX_LISTED:
        blocks.append(context(f"{count - MAX_LISTED} more aren't shown here: close some of these first."))
    assert len(blocks) <= MESSAGE_BLOCK_LIMIT
    return f"{count} open target{'' if count == 1 else 's'} for {who}", blocks


def target_overview_blocks(overview: TargetOverview) -> tuple[str, list[Block]]:
    """`/target list` with no name: one's own targets, or each mentee's under their name."""
    if overview.prompt is not None:
        return overview.prompt, [section(overview.prompt)]
    if len(overview.lists) == 1 and overview.lists[0].mentee_id == overview.own_id:
        listing = overview.lists[0]
        if not listing.targets:
            return "You have no open targets.", [header("Your open targets"), section("You have no open targets.")]
        return target_list_blocks(listing)
    blocks: list[Block] = [header("Open targets")]
    total = 0
    for listing in overview.lists:
        mine = listing.mentee_id == overview.own_id
        name = "Yours" if mine else f"{mrkdwn(listing.mentee_name)} (<@{listing.mentee_id}>)"
        if not listing.targets:
            blocks.append(context(f"*{name}*: no open targets."))
            continue
        blocks.append(section(f"*{name}*"))
        for index, target in enumerate(listing.targets):
            if len(blocks) + 3 > MESSAGE_BLOCK_LIMIT:
                hidden = len(listing.targets) - index
                blocks.append(context(f"{hidden} more not shown: use `/target list @{listing.mentee_name}`."))
                break
            total += 1
            blocks.append(section("• " + target_line(target, listing.today)))
            if listing.can_close:
                blocks.append(close_actions(target))
            elif listing.can_mark_ready:
                blocks.append(_ready_part(target))
    people = len(overview.lists)
    text = f"{total} open target{'' if total == 1 else 's'} for {people} {'person' if people == 1 else 'people'}"
    return text, blocks[:MESSAGE_BLOCK_LIMIT]

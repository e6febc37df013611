"""The review modal (the draft from the records, then what the reviewer writes), the review message with
Sign and Add a comment, and the comment modal."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.core.vocabulary import REVIEW_KIND_LABEL, REVIEW_OUTCOME_LABEL, SIGNER_LABEL
from bot.reviews.writing import (
    EVIDENCE,
    ON_TRACK,
    OUTCOME,
    TARGET_SLOTS,
    ReviewForm,
    ReviewInput,
    ReviewView,
    question_field,
    target_field,
)
from handlers.reviews.ids import COMMENT, COMMENT_BLOCK, COMMENT_CALLBACK, CORRECT, REVIEW_CALLBACK, SIGN, VALUE
from handlers.slack.blocks import (
    Block,
    button,
    context,
    divider,
    header,
    section,
    sections_for_lines,
    truncate,
    user_text,
)
from handlers.slack.shared_ids import START_PLAN
from storage.reviews import Outcome, ReviewKind, ReviewStatus

MODAL_BLOCK_LIMIT = 100
TABLE_COLUMNS = 6  # observations shown side by side in the standards table
STATUS_WORD = {"met": "met", "not_met": "not met", "open": "open", "dropped": "dropped"}


def _d(iso: str) -> str:
    return f"{date.fromisoformat(iso):%-d %b}"


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str = "") -> Block:
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


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def standards_table(figures: dict[str, Any]) -> str:
    """Standards × observations, as a monospaced table with the direction of travel."""
    observations = figures["observations"][-TABLE_COLUMNS:]
    if not observations:
        return "_No observations in this period._"
    skip = len(figures["observations"]) - len(observations)
    width = 26
    head = "Standard".ljust(width) + "".join(_d(o["date"]).ljust(8) for o in observations) + "Trend"
    rows = [head]
    for row in figures["standards"]:
        ratings = row["ratings"][skip:]
        cells = "".join((r or "–").ljust(8) for r in ratings)
        rows.append(truncate(row["label"], width - 1).ljust(width) + cells + (row["trend"] or ""))
    return "```\n" + "\n".join(rows) + "\n```"


def draft_lines(figures: dict[str, Any]) -> list[str]:
    """What the records say, for the modal and the review message."""
    if figures.get("empty"):
        return [":information_source: *No records in this period*: no meetings, targets or observations were logged."]
    m, t = figures["meetings"], figures["targets"]
    cadence = m["cadence"].replace("_", " ")
    lines = [
        f"*Meetings:* {m['held']} held of {m['expected']} expected ({cadence}); {m['signed_off']} signed off by the "
        "teacher" + (f" · {', '.join(_d(d) for d in m['dates'][-8:])}" if m["dates"] else ""),
        f"*Targets:* {len(t['set'])} set · {len(t['met'])} met · {len(t['carried'])} carried forward · "
        f"{len(t['not_met'])} not met · {t['open']} still open",
    ]
    for label, rows in (("Met", t["met"]), ("Carried", t["carried"]), ("Not met", t["not_met"])):
        for row in rows[:5]:
            closed = f", closed {_d(row['closed'])}" if row.get("closed") else ""
            lines.append(f"  • {label}: {user_text(row['text'])} (set {_d(row['set'])}, due {_d(row['due'])}{closed})")
    lines.append(f"*Observations:* {len(figures['observations'])}")
    for label, key in (("Strengths", "strengths"), ("Development points", "development"), ("Concerns", "concerns")):
        quotes = figures[key]
        if quotes:
            lines.append(f"*{label}* (from observations)")
            lines += [f"  • {_d(q['date'])}: “{user_text(q['text'])}”" for q in quotes[-4:]]
    if figures["reflections"]:
        lines.append("*The teacher's reflections*")
        lines += [f"  • {_d(q['date'])}: “{user_text(q['text'])}”" for q in figures["reflections"][-4:]]
    missing = figures["no_evidence"]
    if missing:
        lines.append(":warning: *No evidence yet for:* " + ", ".join(f"Standard {c}" for c in missing))
    return lines


def review_modal(form: ReviewForm) -> dict[str, Any]:
    item = form.state.item
    kind = REVIEW_KIND_LABEL[item.kind]
    title = item.title if not form.correcting else f"{item.title} (correction)"
    blocks: list[Block] = [
        section(
            f"*{user_text(title)}* for <@{form.mentee_id}>\n"
            f"Period {form.period_start:%-d %B %Y} – {form.period_end:%-d %B %Y} · due {item.due_on:%-d %B %Y}"
        ),
        context("Drafted from the records since the last review. Read it, then write the evidence below."),
        divider(),
        *sections_for_lines(draft_lines(form.figures)),
    ]
    if not form.figures.get("empty"):
        blocks.append(section("*Ratings by standard*\n" + standards_table(form.figures)))
    blocks.append(divider())
    old = form.correcting
    evidence: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": 3000}
    if old is not None:
        evidence["initial_value"] = old.evidence
    blocks.append(
        _input(
            EVIDENCE,
            "Evidence against the Teachers' Standards",
            evidence,
            hint="Per standard or group of standards: what you saw, with dates. Not a list of can-do statements.",
        )
    )
    options = [_option("Yes, on track", "yes"), _option("No, not on track", "no")]
    on_track: dict[str, Any] = {"type": "radio_buttons", "options": options}
    if old is not None:
        on_track["initial_option"] = options[0 if old.on_track else 1]
    blocks.append(_input(ON_TRACK, "On track?", on_track))
    if item.kind is ReviewKind.FORMAL and item.final:
        outcomes = [_option(label, value.value) for value, label in REVIEW_OUTCOME_LABEL.items()]
        blocks.append(
            _input(OUTCOME, "Outcome of the final assessment", {"type": "static_select", "options": outcomes})
        )
    for question in form.questions:
        answer: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": 2000}
        if old is not None and old.answers.get(question.key):
            answer["initial_value"] = old.answers[question.key]
        blocks.append(_input(question_field(question.key), question.label, answer, optional=not question.required))
    for slot in range(TARGET_SLOTS):
        blocks.append(
            _input(
                target_field("text", slot),
                f"Agreed target {slot + 1}",
                {"type": "plain_text_input", "max_length": 300},
                optional=True,
            )
        )
        blocks.append(_input(target_field("due", slot), "Due by", {"type": "datepicker"}, optional=True))
    metadata = {"mentee": form.mentee_id, "point": item.key, "corrects": old.id if old else None}
    return {
        "type": "modal",
        "callback_id": REVIEW_CALLBACK,
        "title": {"type": "plain_text", "text": truncate(kind.capitalize(), 24)},
        "submit": {"type": "plain_text", "text": "Save and send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(metadata),
        "blocks": blocks[:MODAL_BLOCK_LIMIT],
    }


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(VALUE) or {}


def _date(values: dict[str, Any], block_id: str) -> date | None:
    raw = _value(values, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _value(values, block_id).get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def read_review_state(values: dict[str, Any], metadata: dict[str, Any]) -> ReviewInput:
    answers = {
        block_id.removeprefix("q_"): str(_value(values, block_id).get("value") or "")
        for block_id in values
        if block_id.startswith("q_")
    }
    on_track = _selected(values, ON_TRACK)
    outcome = _selected(values, OUTCOME)
    targets = []
    for slot in range(TARGET_SLOTS):
        text = (_value(values, target_field("text", slot)).get("value") or "").strip()
        targets.append((text, _date(values, target_field("due", slot))))
    corrects = metadata.get("corrects")
    return ReviewInput(
        mentee_id=str(metadata.get("mentee", "")),
        point_key=str(metadata.get("point", "")),
        on_track=None if on_track is None else on_track == "yes",
        evidence=_value(values, EVIDENCE).get("value"),
        targets=targets,
        outcome=Outcome(outcome) if outcome in set(Outcome) else None,
        corrects=int(corrects) if isinstance(corrects, int) else None,
        answers=answers,
    )


# --- the review message ------------------------------------------------------------------------------


def review_message(view: ReviewView, *, for_user: str) -> tuple[str, list[Block]]:
    """The review as its signers see it; Sign and Add a comment while the reader's signature is awaited."""
    r = view.review
    version = f" · version {r.version}" if r.version > 1 else ""
    blocks: list[Block] = [
        header(truncate(f"{r.title}: {view.name(r.mentee_id)}", 150)),
        section(
            f"*Period:* {r.period_start:%-d %B %Y} – {r.period_end:%-d %B %Y}{version}\n"
            f"*Written by:* <@{r.author_id}> · *On track:* {'Yes' if r.on_track else 'No'}"
            + (f"\n*Outcome:* {REVIEW_OUTCOME_LABEL[r.outcome]}" if r.outcome else "")
        ),
        *sections_for_lines(["*Evidence*", *user_text(r.evidence).splitlines()]),
    ]
    for key, answer in (r.answers or {}).items():
        blocks += sections_for_lines([f"*{user_text(view.question_label(key))}*", *user_text(answer).splitlines()])
    if view.targets:
        lines = ["*Agreed targets*"] + [f"• {user_text(t.text)} — due {t.due_on:%-d %B %Y}" for t in view.targets]
        blocks += sections_for_lines(lines)
    blocks += sections_for_lines(["*Records this review drew on*", *draft_lines(r.figures)])
    signature_lines = ["*Signatures*"]
    for s in view.signatures:
        state = f"signed {s.signed_at:%-d %B %Y}" if s.signed_at else "_waiting_"
        comment = f" — “{user_text(s.comment)}”" if s.comment else ""
        signature_lines.append(f"• {SIGNER_LABEL[s.capacity]}: <@{s.signer_id}>, {state}{comment}")
    blocks += sections_for_lines(signature_lines)
    if not r.on_track:
        blocks.append(
            context(
                ":warning: Not on track: start a support plan with the lead mentor and share it, with this review, "
                "with the appropriate body."
            )
        )
    elements: list[Block] = []
    if r.status is ReviewStatus.SUPERSEDED:
        blocks.append(context("This version was corrected: a new version replaces it."))
    else:
        if r.locked_at is not None:
            blocks.append(context(f":lock: Signed by everyone and locked on {r.locked_at:%-d %B %Y}."))
        elif any(s.signer_id == for_user and s.signed_at is None for s in view.signatures):
            elements += [button("Sign", SIGN, str(r.id), "primary"), button("Add a comment", COMMENT, str(r.id))]
        if for_user == r.author_id:
            elements.append(button("Correct (new version)", CORRECT, str(r.id)))
        if not r.on_track and for_user != r.mentee_id:  # the concerns feature answers it (lead mentors and SLT)
            elements.append(button("Start a support plan", START_PLAN, r.mentee_id))
    if elements:
        blocks.append({"type": "actions", "block_id": f"review:{r.id}", "elements": elements})
    fallback = f"{user_text(r.title)} for {user_text(view.name(r.mentee_id))}"
    return fallback, blocks[:50]


def comment_modal(review_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": COMMENT_CALLBACK,
        "title": {"type": "plain_text", "text": "Add a comment"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"review": review_id}),
        "blocks": [
            _input(
                COMMENT_BLOCK,
                "Your comment on this review",
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
            )
        ],
    }


def read_comment(values: dict[str, Any]) -> str:
    return str(_value(values, COMMENT_BLOCK).get("value") or "")

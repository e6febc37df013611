"""Block Kit for the weekly digests: the lead mentor's DM (paged into a thread) and the SLT channel summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.certification.service import TrainingBehind, hours_text
from bot.coaching.summary import CoachingSummary
from bot.concerns.service import OpenConcern
from bot.concerns.warnings import RaisedWarning
from bot.core.vocabulary import CONCERN_CATEGORY_LABEL, KIND_COUNTED, RATING_SHORT, WARNING_LABEL
from bot.core.words import counted, verb
from bot.digests.service import OBSERVATIONS_PER_HALF_TERM, MenteeWeek, SchoolWeek
from bot.reviews.service import ItemState
from handlers.digests.ids import NUDGE_ACTION
from handlers.reviews.wording import item_line
from handlers.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    Block,
    button,
    context,
    divider,
    header,
    section,
    sections_for_lines,
    user_text,
)
from handlers.slack.shared_ids import RAISE_FROM_WARNING, START_PLAN
from storage.observations import Rating
from storage.roster import MenteeKind

# Past this many messages a digest's remainder goes into a CSV file in the thread instead.
MAX_THREAD_MESSAGES = 10


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[Block]


@dataclass(frozen=True)
class LeadDigest:
    messages: list[Message]  # the first is the DM; the rest go in its thread
    overflow_csv: bytes | None  # every mentee, when the thread would be too long


def standard_label(key: str) -> str:
    if key.startswith("standard_"):
        return key.removeprefix("standard_")
    return {"part_two": "Part 2"}.get(key, key)


def mentee_line(m: MenteeWeek) -> str:
    mentors = ", ".join(f"<@{i}>" for i in m.mentor_ids)
    parts = [f"*<@{m.mentee_id}>* (mentor {mentors})"]
    if m.flags:
        parts.append(":warning: " + ", ".join(m.flags))
    last = f"last {m.last_meeting:%-d %b}" if m.last_meeting else "none yet"
    meeting_mark = "" if m.on_cadence else ":hourglass: "
    parts.append(f"{meeting_mark}meetings {m.meetings_this_week} this week ({last})")
    parts.append(f"observations {m.observations_this_half}/{OBSERVATIONS_PER_HALF_TERM}")
    if m.improved or m.declined:
        parts.append(f"ratings ↑{m.improved} ↓{m.declined}")
    if m.targets_set or m.targets_met or m.targets_overdue:
        parts.append(f"targets {m.targets_set} set, {m.targets_met} met, {m.targets_overdue} overdue")
    if m.reflections_owed:
        parts.append(f"{counted(m.reflections_owed, 'reflection')} owed")
    return " · ".join(parts)


def mentee_list(mentee_ids: list[str], limit: int = 10) -> str:
    """ "<@A>, <@B> and 3 more": the mentees a nudge names."""
    shown = ", ".join(f"<@{i}>" for i in mentee_ids[:limit])
    return shown + (f" and {len(mentee_ids) - limit} more" if len(mentee_ids) > limit else "")


def _nudge_block(mentor_id: str, mentee_ids: list[str]) -> Block:
    shown = mentee_list(mentee_ids)
    return {
        **section(f"<@{mentor_id}>: no meeting logged on cadence with {shown}"),
        "accessory": button("Nudge", NUDGE_ACTION, mentor_id),
    }


def lead_digest(
    school: SchoolWeek,
    reviews_due: Sequence[tuple[str, ItemState]] = (),
    training_behind: Sequence[TrainingBehind] = (),
) -> LeadDigest:
    ordered = school.by_need
    needing = [m for m in ordered if m.needs_attention]
    fine = [m for m in ordered if not m.needs_attention]
    quiet = school.quiet_mentors
    week_of = f"{school.week.monday:%-d %B}"
    summary = (
        f"*{counted(len(ordered), 'mentee')}* · :large_green_circle: {len(fine)} on track · "
        f":warning: {len(needing)} need you · :hourglass: {counted(len(quiet), 'mentor')} "
        "with missing logs"
    )
    lead: list[Block] = [header(f"Your mentoring digest: week of {week_of}"), section(summary)]
    body: list[Block] = []
    if not ordered:
        body.append(section("No mentorships are running yet. An admin can start one with `/mentor assign`."))
    if needing:
        body += sections_for_lines(["*Needs you* (most urgent first)", *(mentee_line(m) for m in needing)])
    elif ordered:
        body.append(section(":tada: Everyone is on track this week."))
    if school.open_concerns:
        body += sections_for_lines(
            ["*Open concerns* (until resolved)", *(open_concern_line(c) for c in school.open_concerns)]
        )
    if school.early_warnings:
        body.append(section("*Early warnings* (raised this week, once each)"))
        body += [block for w in school.early_warnings for block in warning_blocks(w)]
    if quiet:
        body.append(section("*Mentors with missing logs*"))
        body += [_nudge_block(mentor, mentees) for mentor, mentees in sorted(quiet.items())]
    if reviews_due:
        lines = [item_line(state, mentee_id=mentee_id) for mentee_id, state in reviews_due]
        body += sections_for_lines(["*Reviews overdue or due in the next two weeks*", *lines])
    if training_behind:
        body += sections_for_lines(
            ["*Mentors behind on training hours* (first year with ECTs)", *training_lines(training_behind)]
        )
    if fine:
        body += sections_for_lines(["*On track*", *(mentee_line(m) for m in fine)])
    body.append(
        context(
            f"Observations count this half term (from {school.half.start:%-d %b}); "
            ":hourglass: means no meeting within the mentorship's cadence."
        )
    )
    messages, overflow = _paginate(lead, body)
    csv = _cohort_csv(ordered) if overflow else None
    need = f"{counted(len(needing), 'mentee')} {verb(len(needing), 'needs', 'need')} you"
    fallback = f"Mentoring digest, week of {week_of}: {need}"
    return LeadDigest([Message(fallback if i == 0 else "Digest, continued", b) for i, b in enumerate(messages)], csv)


def _paginate(first: list[Block], body: list[Block]) -> tuple[list[list[Block]], bool]:
    """Split into messages of at most 50 blocks: the first keeps the summary, the rest continue in the thread."""
    messages: list[list[Block]] = []
    current = list(first)
    for block in body:
        if len(current) >= MESSAGE_BLOCK_LIMIT - 1:
            messages.append(current)
            current = [context("_continued_")]
        current.append(block)
    messages.append(current)
    if len(messages) > 1:
        messages[0].append(context(f"Continued in the thread ({len(messages) - 1} more message(s))."))
    if len(messages) <= MAX_THREAD_MESSAGES + 1:
        return messages, False
    kept = messages[: MAX_THREAD_MESSAGES + 1]
    kept[-1] = [*kept[-1][: MESSAGE_BLOCK_LIMIT - 1], context("The full cohort is in the attached CSV file.")]
    return kept, True


def _cohort_csv(mentees: list[MenteeWeek]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "mentee",
            "mentors",
            "kind",
            "flags",
            "meetings this week",
            "last meeting",
            "on cadence",
            "observations this half term",
            "ratings improved",
            "ratings declined",
            "targets set",
            "targets met",
            "targets overdue",
            "reflections owed",
        ]
    )
    for m in mentees:
        writer.writerow(
            [
                m.mentee_id,
                " ".join(m.mentor_ids),
                m.kind.value,
                "; ".join(m.flags),
                m.meetings_this_week,
                m.last_meeting.isoformat() if m.last_meeting else "",
                "yes" if m.on_cadence else "no",
                m.observations_this_half,
                m.improved,
                m.declined,
                m.targets_set,
                m.targets_met,
                m.targets_overdue,
                m.reflections_owed,
            ]
        )
    return out.getvalue().encode("utf-8")


def _delta(now: int, before: int | None, *, unit: str = "") -> str:
    if before is None or now == before:
        return ""
    arrow = "▲" if now > before else "▼"
    return f" {arrow}{abs(now - before)}{unit} since last week"


def ratings_table(distribution: dict[str, dict[str, int]]) -> str:
    order = [r for r in (Rating.FULLY, Rating.PARTLY, Rating.NOT_DEMONSTRATED, Rating.NOT_APPLICABLE)]
    widths = (7, 8, 5, 5)
    headings = [RATING_SHORT[r] for r in order]
    lines = [f"{'Standard':<10}" + "".join(f"{h:>{w}}" for h, w in zip(headings, widths, strict=True))]
    for key in sorted(distribution, key=_standard_order):
        counts = distribution[key]
        cells = "".join(f"{counts.get(r.value, 0):>{w}}" for r, w in zip(order, widths, strict=True))
        lines.append(f"{standard_label(key):<10}{cells}")
    return "```\n" + "\n".join(lines) + "\n```"


def _standard_order(key: str) -> tuple[int, str]:
    label = standard_label(key)
    return (int(label), "") if label.isdigit() else (99, label)


def slt_summary(school: SchoolWeek, previous: dict[str, Any] | None) -> Message:
    n = school.numbers()
    p = previous or {}
    kinds = " · ".join(
        f"{count} {KIND_COUNTED[MenteeKind(kind)][count != 1]}" for kind, count in n["by_kind"].items() if count
    )
    fields = [
        f"*Cohort*\n{counted(n['mentees'], 'mentee')}"
        + (f": {kinds}" if kinds else "")
        + _delta(n["mentees"], p.get("mentees")),
        f"*Meeting their cadence*\n{n['on_cadence_pct']}% ({n['on_cadence']} of {n['mentees']})"
        + _delta(n["on_cadence_pct"], p.get("on_cadence_pct"), unit=" pts"),
        f"*Observed twice this half term*\n{n['observation_coverage_pct']}% "
        f"({n['observation_coverage']} of {n['mentees']})"
        + _delta(n["observation_coverage_pct"], p.get("observation_coverage_pct"), unit=" pts"),
        f"*Not on track*\n{n['not_on_track']}" + _delta(n["not_on_track"], p.get("not_on_track")),
        f"*Concerns this half term*\n{n['concerns']}" + _delta(n["concerns"], p.get("concerns")),
        f"*Open concerns raised*\n{n['open_concerns']}" + _delta(n["open_concerns"], p.get("open_concerns")),
        f"*Targets*\n{n['targets_met']} met this week · {n['targets_overdue']} overdue",
    ]
    blocks: list[Block] = [
        header(f"School mentoring summary: week of {school.week.monday:%-d %B}"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if n["ratings"]:
        blocks.append(
            section(
                "*Latest rating per standard* (each teacher's most recent observation)\n" + ratings_table(n["ratings"])
            )
        )
    flagged = [m for m in school.by_need if m.not_on_track or m.concern_this_half]
    if flagged:
        lines = [
            f"• <@{m.mentee_id}> (mentor {', '.join(f'<@{i}>' for i in m.mentor_ids)}): "
            + ", ".join(f for f in m.flags if f in ("not on track", "concern"))
            for m in flagged
        ]
        more = len(lines) - 100
        blocks += sections_for_lines(["*Flagged*", *lines[:100]] + ([f"…and {more} more"] if more > 0 else []))
    if school.coaching is not None and not school.coaching.empty:
        blocks += coaching_blocks(school.coaching)
    blocks.append(divider())
    blocks.append(
        context("Details stay with the lead mentors: no meeting notes, comments or concern details are shared here.")
    )
    text = f"School mentoring summary: {counted(n['mentees'], 'mentee')}, {n['not_on_track']} not on track"
    return Message(text, blocks[:MESSAGE_BLOCK_LIMIT])


def coaching_blocks(c: CoachingSummary) -> list[Block]:
    """Coaching and peer visits: counts; good practice named only where its author shared their name."""
    fields = []
    if c.subjects:
        lines = [
            f"{user_text(s.subject.capitalize())}: {s.met} of {s.triplets} met · {s.not_yet} not yet"
            for s in c.subjects
        ]
        fields.append(f"*Coaching triplets, {user_text(c.term)}*\n" + "\n".join(lines))
    if c.staff:
        fields.append(
            f"*Peer visits this half term*\n{c.visited_twice_pct}% of staff visited twice "
            f"({c.visited_twice} of {c.staff})"
        )
    blocks: list[Block] = [divider()]
    if fields:
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f[:2000]} for f in fields]})
    if c.good_practice:
        lines = [
            f"• {user_text(g.text)} _({user_text(g.source)}" + (f", <@{g.author_id}>)_" if g.author_id else ")_")
            for g in c.good_practice
        ]
        blocks += sections_for_lines(["*Good practice seen*", *lines])
    if c.private_takeaways:
        blocks.append(
            context(
                f"{counted(c.private_takeaways, 'more takeaway')} written in triplets and kept there, "
                "as their authors chose."
            )
        )
    return blocks


def nudge_message(lead_id: str, mentee_ids: list[str]) -> str:
    names = mentee_list(mentee_ids, limit=20)
    return (
        f"<@{lead_id}> noticed there's no meeting logged lately with {names}. "
        "If you've met, log it with `/meeting @mentee`; if not, please find a time this week."
    )


def admin_notice(problem: str) -> Message:
    return Message(problem, [section(f":wrench: {problem}")])


def open_concern_line(c: OpenConcern) -> str:
    """One open concern, no free text: about whom, what kind, when seen, by whom, and where it stands."""
    updates = f"{c.updates} update{'s' if c.updates != 1 else ''}"
    discussed = "discussed with them" if c.discussed else "not yet discussed with them"
    return (
        f"• <@{c.mentee_id}>: {CONCERN_CATEGORY_LABEL[c.category].lower()}, seen {c.seen_on:%-d %b}, raised by "
        f"<@{c.raised_by}> · {updates} · {discussed}"
    )


def warning_line(w: RaisedWarning) -> str:
    """One early warning with its evidence (dates and counts only)."""
    what = WARNING_LABEL.get(w.kind, "early warning")
    return f"• <@{w.mentee_id}>: {what}: {user_text(w.evidence)} (raised {w.raised_on:%-d %b})"


def warning_blocks(w: RaisedWarning) -> list[Block]:
    """The warning, with Raise a concern and Start a support plan (answered by the concerns listeners)."""
    return [
        section(warning_line(w)),
        {
            "type": "actions",
            "block_id": f"warning:{w.id}",
            "elements": [
                button("Raise a concern", RAISE_FROM_WARNING, str(w.id)),
                button("Start a support plan", START_PLAN, w.mentee_id),
            ],
        },
    ]


def training_lines(behind: Sequence[TrainingBehind]) -> list[str]:
    return [
        f"<@{b.mentor_id}>: {hours_text(b.hours)} of {hours_text(b.target)} hours logged "
        f"({hours_text(round(b.expected, 1))} expected by now)"
        for b in behind
    ]

"""Block Kit for the App Home tab: one section per role, long lists paged with **More**, always within 100 blocks.

Paging is in handlers/home/pages.py, the Set target modal in handlers/home/modals.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.coaching.home import CoachingHome
from bot.concerns.plans import PlanSummary
from bot.concerns.service import ConcernSummary, OpenConcern
from bot.core.vocabulary import (
    CADENCE_LABEL,
    CONCERN_CATEGORY_LABEL,
    CONCERN_STATUS_LABEL,
    KIND_COUNTED,
    RATING_LABEL,
    RATING_MARK,
)
from bot.core.words import counted, noun, verb
from bot.digests.service import Week
from bot.home.service import AdminSection, Home, LeadSection, MenteeSection, MenteeStatus, MentorSection, SltSection
from handlers.certification.blocks import home_blocks as certification_blocks
from handlers.digests.blocks import mentee_line, open_concern_line, warning_blocks
from handlers.home.ids import (
    HOME_CALLBACK,
    LOG_MEETING_ACTION,
    OBSERVE_ACTION,
    REFLECT_ACTION,
    REFLECT_BLOCK,
    SET_TARGET_ACTION,
    mentee_actions_block,
)
from handlers.home.pages import Pages, paged, pager
from handlers.home.reviews import review_blocks
from handlers.roster.blocks import INTRO
from handlers.slack.blocks import Block, button, context, divider, header, section, truncate, user_text
from handlers.slack.shared_ids import (
    ASK_WHO,
    BOOK_SESSION,
    PROPOSE_TRIPLETS,
    RECORD_WALK,
    SEE_CONCERN,
    SEE_PLAN,
    SIGN_PLAN,
    START_PLAN,
)
from handlers.targets.blocks import short_date, target_line
from storage.observations import Rating

VIEW_BLOCK_LIMIT = 100
NOTES_SHOWN = 280  # characters of the last meeting's notes
FIELD_LIMIT = 2000  # characters in one field of a section


def _people(ids: Sequence[str], *, limit: int = 10) -> str:
    shown = ", ".join(f"<@{i}>" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# --- the whole Home ------------------------------------------------------------------------------------------------


def home_view(home: Home, pages: Pages | None = None) -> dict[str, Any]:
    pages = pages or Pages()
    blocks: list[Block] = []
    if not home.known:
        blocks = welcome_blocks(home.admins)
    else:
        if home.mentee is not None:
            blocks += mentee_blocks(home.mentee, home.today, pages)
        if home.mentor is not None:
            blocks += mentor_blocks(home.mentor, pages)
        if home.lead is not None:
            blocks += lead_blocks(home.lead, home.user_id, pages)
        if home.slt is not None:
            blocks += slt_blocks(home.slt, home, pages)
        if home.admin is not None:
            blocks += admin_blocks(home.admin, home, pages)
        if home.reviews:
            blocks += review_blocks(home)
        if home.certification is not None:
            blocks += certification_blocks(home.certification)
        if home.coaching is not None:
            blocks += coaching_blocks(home.coaching)
        blocks.append(context("`/mentor help` lists every command you can use."))
    return {
        "type": "home",
        "callback_id": HOME_CALLBACK,
        "private_metadata": pages.encode(),
        "blocks": _fit(blocks),
    }


def _fit(blocks: list[Block]) -> list[Block]:
    """A last guard: the page sizes keep a Home far below 100 blocks, but never let Slack refuse one."""
    if len(blocks) <= VIEW_BLOCK_LIMIT:
        return blocks
    return [*blocks[: VIEW_BLOCK_LIMIT - 1], context("There is more than fits here: use `/mentor help` to find it.")]


def coaching_blocks(c: CoachingHome) -> list[Block]:
    """Your coaching triplets this term and your peer visits this half term; SLT's Propose / Learning walk."""
    blocks: list[Block] = [header("Coaching and peer visits")]
    for t in c.triplets[:5]:
        when = (
            f"session booked for *{t.session_on:%A %-d %B}*"
            if t.session_on
            else f"no session booked yet (any time until {t.window_end:%-d %B})"
        )
        if t.met:
            when = "you met" + (": takeaway written" if t.triplet_id in c.takeaways_written else "")
        blocks.append(
            section(
                f"*{user_text(t.subject.capitalize())} triplet, {user_text(t.term)}*: {_people(t.user_ids)}\n{when}"
            )
        )
        if not t.met:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"home_triplet:{t.triplet_id}",
                    "elements": [button("Book our session", BOOK_SESSION, str(t.triplet_id))],
                }
            )
    mark = ":white_check_mark:" if c.visits_received >= c.visits_expected else ":hourglass:"
    blocks.append(
        section(
            f"{mark} *Peer visits this half term:* {counted(c.visits_received, 'visit')} to your classroom "
            f"(at least {c.visits_expected} is the aim) · {c.visits_made} made by you. "
            "Log one with `/visit @colleague`."
        )
    )
    buttons = []
    if c.can_arrange:
        buttons.append(button("Propose triplets", PROPOSE_TRIPLETS, "propose"))
    if c.can_walk:
        buttons.append(button("Record a learning walk", RECORD_WALK, "walk"))
    if buttons:
        blocks.append({"type": "actions", "block_id": "home_coaching", "elements": buttons})
    return blocks


def welcome_blocks(admins: Sequence[str]) -> list[Block]:
    who = f"{_people(admins)}, the bot's {noun(len(admins), 'admin')}" if admins else "your Slack workspace admins"
    return [
        header("Welcome to mentor-bot"),
        section(INTRO),
        section(
            "There's nothing for you here yet. Once you're part of a mentorship (as a mentor or mentee) or have a "
            "role such as lead mentor, this tab becomes your dashboard: targets, meetings, observations and the "
            f"next thing to do, one click away.\n\nIt's set up by {who}: ask them if you think you should be in."
        ),
        context("`/mentor help` lists the commands you can use now."),
    ]


# --- mentee --------------------------------------------------------------------------------------------------------


def mentee_blocks(mentee: MenteeSection, today: date, pages: Pages) -> list[Block]:
    blocks: list[Block] = [header("Your mentoring")]
    if mentee.mentor_ids:
        word = noun(len(mentee.mentor_ids), "mentor")
        blocks.append(context(f"Your {word}: {_people(mentee.mentor_ids)}"))
    shown, page = paged(mentee.targets, pages, "targets")
    overdue = mentee.overdue(today)
    if shown:
        title = f"*Your open targets* ({page.label}" + (f", {overdue} overdue" if overdue else "") + ")"
        blocks.append(section("\n".join([title, *("• " + target_line(t, today) for t in shown)])))
        blocks += pager(page, pages)
    else:
        blocks.append(section("*Your open targets*\nNone open right now."))
    blocks += mentee_plan_blocks(mentee.plans)
    blocks += mentee_concern_blocks(mentee.concerns)
    blocks.append(section(_last_meeting_text(mentee)))
    blocks.append(section(_observations_text(mentee)))
    owed, page = paged(mentee.reflections_owed, pages, "reflections")
    if owed:
        blocks.append(section(f"*Reflections you still owe* ({page.label})"))
        for item in owed:
            blocks.append(
                {
                    **section(f"Observation by <@{item.observer_id}> on {item.observed_on:%A %-d %B}"),
                    "block_id": f"{REFLECT_BLOCK}{item.observation_id}",
                    "accessory": button("Add your reflection", REFLECT_ACTION, str(item.observation_id), "primary"),
                }
            )
        blocks += pager(page, pages)
    blocks.append(divider())
    return blocks


def _last_meeting_text(mentee: MenteeSection) -> str:
    meeting = mentee.last_meeting
    if meeting is None:
        return "*Your last meeting*\nNo meeting logged yet."
    signed = "signed off" if meeting.signed_off else "waiting for your sign-off (the notes are in your messages)"
    text = f"*Your last meeting*: {meeting.held_on:%A %-d %B} with <@{meeting.author_id}> · {signed}"
    if meeting.next_meeting_on is not None:
        text += f" · next planned {short_date(meeting.next_meeting_on)}"
    if meeting.notes:
        text += "\n>" + user_text(truncate(" ".join(meeting.notes.split()), NOTES_SHOWN))
    return text


def _observations_text(mentee: MenteeSection) -> str:
    if not mentee.observations:
        return "*Your observations*\nNone yet."
    latest = f", the latest on {mentee.latest_observed_on:%-d %B}" if mentee.latest_observed_on else ""
    title = f"*Your observations* ({mentee.observations}{latest})"
    if mentee.trends is None:
        return title
    lines = [title, "Ratings per standard, oldest → newest:"]
    for trend in mentee.trends:
        marks = " ".join(RATING_MARK[r] for r in trend.ratings)
        lines.append(f"{user_text(truncate(trend.label, 60))}: {marks}")
    lines.append("_" + " · ".join(f"{RATING_MARK[r]} {RATING_LABEL[r].lower()}" for r in _LEGEND) + "_")
    return "\n".join(lines)


_LEGEND = (Rating.FULLY, Rating.PARTLY, Rating.NOT_DEMONSTRATED, Rating.NOT_APPLICABLE)


# --- mentor --------------------------------------------------------------------------------------------------------


def mentor_blocks(mentor: MentorSection, pages: Pages) -> list[Block]:
    shown, page = paged(mentor.mentees, pages, "mentees")
    needing = sum(1 for m in mentor.mentees if m.needs_attention)
    summary = f"*{counted(len(mentor.mentees), 'mentee')}*" + (
        f" · :warning: {needing} {verb(needing, 'needs', 'need')} you" if needing else " · all on track"
    )
    if page.last:
        summary += f" · showing {page.label}"
    blocks: list[Block] = [header("Your mentees"), section(summary)]
    for status in shown:
        blocks.append(section(_status_text(status)))
        actions = _mentee_actions(
            "mentor", status.mentee_id, status.can_log_meeting, status.can_observe, status.can_set_target
        )
        if actions:
            blocks.append(actions)
    blocks += pager(page, pages)
    blocks.append(
        context(
            f"Observations count this half term (from {mentor.half.start:%-d %B}); meetings fall due by each "
            "mentorship's cadence, counted in school days."
        )
    )
    blocks.append(divider())
    return blocks


def _status_text(s: MenteeStatus) -> str:
    kind = KIND_COUNTED[s.kind][0]
    first = f"*<@{s.mentee_id}>* ({kind}, meeting {CADENCE_LABEL[s.cadence]})"
    if s.flags:
        first += " · :warning: " + ", ".join(s.flags)
    last = f"last meeting {short_date(s.last_meeting)}" if s.last_meeting else "no meeting logged yet"
    if s.meeting_due is None:
        due = ""
    elif s.meeting_overdue:
        due = f":hourglass: meeting was due {short_date(s.meeting_due)}"
    else:
        due = f"next meeting due {short_date(s.meeting_due)}"
    parts = [last, due, f"observations {s.observations_this_half}/{s.observations_needed} this half term"]
    targets = f"{counted(s.targets_open, 'open target')}"
    if s.targets_overdue:
        targets += f", *{s.targets_overdue} overdue*"
    parts.append(targets)
    return first + "\n" + " · ".join(p for p in parts if p)


def _mentee_actions(where: str, mentee_id: str, log: bool, observe: bool, target: bool) -> Block | None:
    elements = []
    if log:
        elements.append(button("Log meeting", LOG_MEETING_ACTION, mentee_id, "primary"))
    if observe:
        elements.append(button("Observe", OBSERVE_ACTION, mentee_id))
    if target:
        elements.append(button("Set target", SET_TARGET_ACTION, mentee_id))
    if not elements:
        return None
    return {"type": "actions", "block_id": mentee_actions_block(where, mentee_id), "elements": elements}


# --- lead mentor ---------------------------------------------------------------------------------------------------


def lead_blocks(lead: LeadSection, viewer_id: str, pages: Pages) -> list[Block]:
    school = lead.school
    total = len(lead.ordered)
    fine = total - lead.needing
    summary = (
        f"*{counted(total, 'mentee')}* · :large_green_circle: {fine} on track · :warning: {lead.needing} need you · "
        f":hourglass: {counted(len(lead.quiet_mentors), 'mentor')} with missing logs"
    )
    shown, page = paged(lead.ordered, pages, "cohort")
    if page.last > 0:
        summary += f" · showing {page.label}"
    blocks: list[Block] = [header(f"Your cohort: week of {school.week.monday:%-d %B}"), section(summary)]
    if not total:
        blocks.append(section("No mentorships are running yet. An admin can start one with `/mentor assign`."))
    blocks += open_concern_blocks(school.open_concerns)
    if lead.warnings:
        blocks.append(section(f"*Early warnings* ({len(lead.warnings)})"))
        blocks += [block for w in lead.warnings[:5] for block in warning_blocks(w)]
    blocks += open_plan_blocks(lead.plans)
    heading = ""
    for number, mentee in enumerate(shown, start=page.first_item):
        # The summary's counts, from one rule (bot/core/attention.py): those needing you, then those on track.
        group = f"*Needs you* ({lead.needing})" if number <= lead.needing else f"*On track* ({fine})"
        if group != heading:
            heading = group
            blocks.append(section(group))
        blocks.append(section(mentee_line(mentee)))
        if mentee.mentee_id == viewer_id:  # a lead mentor who is mentored too: nobody logs their own meetings
            continue
        actions = _mentee_actions("lead", mentee.mentee_id, lead.can_log_meeting, lead.can_observe, lead.can_set_target)
        if actions:
            blocks.append(actions)
    blocks += pager(page, pages)
    quiet, page = paged(lead.quiet_mentors, pages, "quiet")
    if quiet:
        lines = [f"*Mentors with missing logs* ({page.label})"]
        lines += [f"• <@{mentor}>: no meeting on cadence with {_people(mentees, limit=5)}" for mentor, mentees in quiet]
        blocks.append(section("\n".join(lines)))
        blocks += pager(page, pages)
    blocks.append(
        context(
            f"As in the weekly digest: observations this half term (from {school.half.start:%-d %b}), counted to "
            "the end of the week; :hourglass: means no meeting within the mentorship's cadence."
        )
    )
    blocks.append(divider())
    return blocks


# --- SLT -----------------------------------------------------------------------------------------------------------


def slt_blocks(slt: SltSection, home: Home, pages: Pages) -> list[Block]:
    blocks: list[Block] = [header("School summary")]
    n = slt.numbers
    if n is None or slt.snapshot_week is None:
        settings = home.settings
        blocks.append(
            section(
                f"No weekly summary yet: the first goes out on {settings.digest_day.capitalize()} at "
                f"{settings.digest_time} (school time)."
            )
        )
    else:
        blocks.append(_numbers_block(n))
        blocks.append(context(f"From the latest weekly digest ({_week_label(slt.snapshot_week)})."))
    blocks += open_concern_blocks(slt.concerns)
    blocks += open_plan_blocks(slt.plans)
    if slt.flagged is not None:
        shown, page = paged(slt.flagged, pages, "flagged")
        if shown:
            lines = [f"*Flagged this week* ({page.label}): not on track, or a concern this half term"]
            for m in shown:
                flags = ", ".join(f for f in m.flags if f in ("not on track", "concern"))
                lines.append(f"• <@{m.mentee_id}> (mentor {_people(m.mentor_ids, limit=3)}): {flags}")
            blocks.append(section("\n".join(lines)))
            blocks += pager(page, pages)
        else:
            blocks.append(section("*Flagged this week*\nNobody: no one is off track or has a concern raised."))
    channel = f"<#{slt.slt_channel_id}>" if slt.slt_channel_id else "not chosen yet (`/mentor slt-channel #channel`)"
    blocks.append(
        context(
            f"The weekly summary goes to {channel}. Details stay with the lead mentors: no meeting notes, "
            "observation comments or concern details are shown here."
        )
    )
    blocks.append(divider())
    return blocks


def _week_label(week: str) -> str:
    try:
        return f"week of {Week.parse(week).monday:%-d %B %Y}"
    except ValueError:
        return week


def _numbers_block(n: dict[str, Any]) -> Block:
    def number(key: str) -> int:
        value = n.get(key)
        return int(value) if isinstance(value, int | float) else 0

    total = number("mentees")
    kinds = n.get("by_kind")
    counts = {kind: kinds.get(kind.value) for kind in KIND_COUNTED} if isinstance(kinds, dict) else {}
    by_kind = " · ".join(
        f"{count} {KIND_COUNTED[kind][count != 1]}"
        for kind, count in counts.items()
        if isinstance(count, int) and count
    )
    fields = [
        f"*Cohort*\n{counted(total, 'mentee')}" + (f": {by_kind}" if by_kind else ""),
        f"*Meeting their cadence*\n{number('on_cadence_pct')}% ({number('on_cadence')} of {total})",
        f"*Observed twice this half term*\n{number('observation_coverage_pct')}% "
        f"({number('observation_coverage')} of {total})",
        f"*Not on track*\n{number('not_on_track')}",
        f"*Concerns this half term*\n{number('concerns')}",
        f"*Targets*\n{number('targets_met')} met that week · {number('targets_overdue')} overdue",
    ]
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]}


# --- admin ---------------------------------------------------------------------------------------------------------


def admin_blocks(admin: AdminSection, home: Home, pages: Pages) -> list[Block]:
    blocks: list[Block] = [header("Running mentor-bot")]
    orphans, page = paged(admin.without_mentor, pages, "orphans")
    if orphans:
        lines = [f"*Mentees without a mentor* ({page.label}): their mentorship ended before its planned end"]
        lines += [
            f"• <@{o.mentee_id}>: with <@{o.last_mentor_id}> until {o.ended_on:%-d %b %Y} "
            f"(planned to {o.planned_end:%-d %b %Y})"
            for o in orphans
        ]
        lines.append("Start a new one with `/mentor assign @mentor @mentee`.")
        blocks.append(section("\n".join(lines)))
        blocks += pager(page, pages)
    else:
        blocks.append(section("*Mentees without a mentor*\nNone: everyone being mentored has a mentor."))
    ending, page = paged(admin.ending, pages, "ending")
    title = f"*Mentorships ending by {admin.month_end:%-d %B}*"
    if ending:
        lines = [f"{title} ({page.label})"]
        for e in ending:
            when = (
                f"was due to end {e.end_date:%-d %b %Y}"
                if e.end_date < home.today
                else f"ends {short_date(e.end_date)}"
            )
            lines.append(f"• <@{e.mentor_id}> mentoring <@{e.mentee_id}>: {when}")
        blocks.append(section("\n".join(lines)))
        blocks += pager(page, pages)
    else:
        blocks.append(section(f"{title}\nNone."))
    settings = home.settings
    channel = f"<#{admin.slt_channel_id}>" if admin.slt_channel_id else "_not set_: `/mentor slt-channel #channel`"
    leads = _people(admin.lead_ids) if admin.lead_ids else "_none_: `/mentor role add @person lead`"
    slt = _people(admin.slt_ids) if admin.slt_ids else "_none_: `/mentor role add @person slt`"
    fields = [
        f"*SLT channel*\n{channel}",
        f"*Lead mentors*\n{leads}",
        f"*SLT*\n{slt}",
        f"*School calendar*\n{user_text(settings.calendar_name)}",
        f"*Weekly digests*\n{settings.digest_day.capitalize()}s at {settings.digest_time} (school time)",
    ]
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": truncate(f, FIELD_LIMIT)} for f in fields]})
    blocks.append(divider())
    return blocks


# --- concerns (the service gives plain summaries; the concerns listeners answer See the trail / Read it) ----------
def mentee_concern_blocks(concerns: list[ConcernSummary], *, limit: int = 5) -> list[Block]:
    """For the mentee's own Home: the concerns discussed with them, each with Read it (none: no blocks)."""
    if not concerns:
        return []
    return [section("*Concerns discussed with you*")] + [
        {
            **section(
                f"{CONCERN_CATEGORY_LABEL[c.category]} · seen {c.seen_on:%-d %b %Y} · raised by <@{c.raised_by}> · "
                f"{CONCERN_STATUS_LABEL[c.status]}"
            ),
            "accessory": button("Read it", SEE_CONCERN, str(c.id)),
        }
        for c in concerns[:limit]
    ]


def open_concern_blocks(concerns: list[OpenConcern], *, limit: int = 8) -> list[Block]:
    """A section per open concern with its See the trail button, for lead mentors' and SLT's Homes."""
    if not concerns:
        return []
    blocks: list[Block] = [section(f"*Open concerns* ({len(concerns)})")]
    for c in concerns[:limit]:
        blocks.append({**section(open_concern_line(c)), "accessory": button("See the trail", SEE_CONCERN, str(c.id))})
    if len(concerns) > limit:
        blocks.append(context(f"…and {len(concerns) - limit} more: they are all in the weekly digest."))
    return blocks


def mentee_plan_blocks(plans: list[PlanSummary]) -> list[Block]:
    """For the mentee's own Home: their open support plans, to read and to sign as seen."""
    blocks: list[Block] = []
    for p in plans:
        signed = "signed as seen" if p.signed else "*not yet signed as seen*"
        targets = f"{p.targets} target{'s' if p.targets != 1 else ''}"
        line = f"*Your support plan* · {targets} · review by {p.review_on:%-d %B} · {signed}"
        elements = [button("See the plan", SEE_PLAN, str(p.id))]
        if not p.signed:
            elements.append(button("I've seen it", SIGN_PLAN, str(p.id), "primary"))
        blocks += [section(line), {"type": "actions", "block_id": f"home_plan:{p.id}", "elements": elements}]
    return blocks


def open_plan_blocks(plans: list[PlanSummary], *, limit: int = 8) -> list[Block]:
    """Open support plans with their review dates, and Start a support plan, for lead mentors' and SLT's Homes."""
    start = button("Start a support plan", START_PLAN, ASK_WHO)
    blocks: list[Block] = [{**section(f"*Support plans* ({len(plans)} open)"), "accessory": start}]
    for p in plans[:limit]:
        signed = "signed as seen" if p.signed else "not yet signed"
        line = f"• <@{p.mentee_id}>: review by {p.review_on:%-d %b}, owner <@{p.owner_id}> · {signed}"
        blocks.append({**section(line), "accessory": button("See the plan", SEE_PLAN, str(p.id))})
    if len(plans) > limit:
        blocks.append(context(f"…and {len(plans) - limit} more."))
    return blocks

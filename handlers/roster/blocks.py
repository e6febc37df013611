"""What `/mentor help` and `/mentor list` show."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.permissions import Standing
from bot.core.vocabulary import KIND_LABEL, ROLE_LABEL
from bot.core.words import counted
from bot.privacy.service import AuditTrail
from bot.roster.service import Caller, RosterOverview
from handlers.slack.blocks import MESSAGE_BLOCK_LIMIT, Block, context, header, section, sections_for_lines, user_text

EVERYONE = frozenset(Standing)
ADMINS = frozenset({Standing.ADMIN})
SLT_ONLY = frozenset({Standing.SLT})


@dataclass(frozen=True)
class HelpEntry:
    usage: str
    what: str
    shown_to: frozenset[Standing]


HELP: list[HelpEntry] = [
    HelpEntry("/mentor help", "this guide", EVERYONE),
    HelpEntry("/mentor list", "your mentorships and roles (leaders see the whole school)", EVERYONE),
    HelpEntry("/mentor list @person", "someone's mentorships and roles", frozenset({Standing.LEAD, Standing.SLT})),
    HelpEntry(
        "/observe @teacher",
        "record a lesson observation against the Teachers' Standards; the teacher is sent it to reflect on",
        frozenset({Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.ADMIN}),
    ),
    HelpEntry(
        "/observe history @teacher",
        "a teacher's observations and their ratings over time (yours too: name yourself)",
        frozenset({Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.MENTEE}),
    ),
    HelpEntry(
        "/meeting @mentee",
        "log a meeting: notes, wellbeing, review open targets and set new ones; the mentee signs the notes off",
        frozenset({Standing.MENTOR, Standing.LEAD}),
    ),
    HelpEntry(
        "/meeting cadence @mentee [weekly|fortnightly|twice-a-term]",
        "how often you meet (I remind you once when a meeting is missed)",
        frozenset({Standing.MENTOR, Standing.LEAD, Standing.ADMIN}),
    ),
    HelpEntry(
        "/target @mentee what they'll do [by when]",
        "set a target in plain words (“… by Monday week”, “before half term”); you confirm the date",
        frozenset({Standing.MENTOR, Standing.LEAD}),
    ),
    HelpEntry(
        "/target list [@mentee]",
        "open targets, with buttons to close them (or, for your own, to mark them ready for review)",
        frozenset({Standing.MENTOR, Standing.LEAD, Standing.SLT, Standing.MENTEE}),
    ),
    HelpEntry(
        "/evidence [training]",
        "a reflection for your mentor certification portfolio, or log mentor training hours",
        frozenset({Standing.MENTOR, Standing.LEAD}),
    ),
    HelpEntry(
        "/mentor portfolio [@mentor]",
        "a certification portfolio PDF in your DM (lead mentors: comment, tick criteria, record panel outcomes)",
        frozenset({Standing.MENTOR, Standing.LEAD, Standing.SLT}),
    ),
    HelpEntry(
        "/mentor register", "mentors certified here, with level and date", ADMINS | {Standing.LEAD, Standing.SLT}
    ),
    HelpEntry("/mentor assign @mentor @mentee [trainee|ect|staff]", "start a mentorship (one academic year)", ADMINS),
    HelpEntry("/mentor unassign @mentor @mentee", "end a mentorship (its records are kept)", ADMINS),
    HelpEntry(
        "/mentor role add|remove @person lead|slt|admin|tutor|head",
        "give or take away a role (tutor: induction tutor; head: headteacher)",
        ADMINS,
    ),
    HelpEntry("/mentor slt-channel #channel", "where the weekly SLT summary is posted", ADMINS),
    HelpEntry(
        "/mentor induction @ect [absent <days>]",
        "an ECT's induction details (start, part time, appropriate body, tutor), or add days absent",
        frozenset({Standing.ADMIN, Standing.LEAD}),
    ),
    HelpEntry(
        "/mentor reviews @trainee <name> <date>… [end <date>]",
        "a trainee's review points as the provider set them, and the placement's end",
        frozenset({Standing.ADMIN, Standing.LEAD}),
    ),
    HelpEntry(
        "/review @teacher",
        "write their next progress review or assessment, drafted from the records since the last one",
        frozenset({Standing.MENTOR, Standing.TUTOR, Standing.HEAD}),
    ),
    HelpEntry("/mentor audit [@person]", "the latest 30 audit log entries: who did what, to whom, when", ADMINS),
    HelpEntry(
        "/mentor staff add @person [@person…] [phase] | away @person [term] | list",
        "who takes part in coaching triplets and peer visits, their phase, and terms they are away",
        frozenset({Standing.SLT, Standing.ADMIN}),
    ),
    HelpEntry(
        "/mentor triplets <subject> [term]",
        "propose coaching triplets (maths, reading, writing…) with no repeated pairings; approve, regenerate or swap",
        frozenset({Standing.SLT, Standing.ADMIN}),
    ),
    HelpEntry(
        "/visit @colleague", "log a peer visit to a colleague's classroom (never rated); they can reply", EVERYONE
    ),
    HelpEntry("/visit walk", "record a learning walk: good practice seen, and a well done to each colleague", SLT_ONLY),
]

INTRO = (
    "*mentor-bot* keeps your school's teacher mentoring in Slack: mentorships, lesson observations "
    "against the Teachers' Standards, weekly meetings and targets, and weekly summaries for leaders."
)
HOME_TAB = (
    "*Your dashboard is my Home tab:* click *mentor-bot* under Apps in Slack's sidebar, then *Home*. It shows "
    "what needs you now (your targets, your mentees, your cohort or school, as your roles allow), with "
    "buttons to log a meeting, observe or set a target."
)


def help_blocks(caller: Caller) -> list[Block]:
    standings = caller.standings
    lines = [f"`{entry.usage}` — {entry.what}" for entry in HELP if entry.shown_to & standings]
    blocks = [header("mentor-bot help"), section(INTRO), section(HOME_TAB), *sections_for_lines(lines)]
    if caller.is_admin:
        blocks.append(
            context(
                "You are an admin of mentor-bot. To load a whole school at once, ask your IT lead to run "
                "`python -m bot roster import roster.csv --team " + caller.team_id + "`."
            )
        )
    else:
        blocks.append(context("Roster changes are made by the bot's admins: your Slack workspace admins."))
    return blocks


def usage_text(problem: str, usage: str) -> str:
    return f"{problem}\nUsage: `{usage}`"


def roster_blocks(overview: RosterOverview, *, about: str | None) -> tuple[str, list[Block]]:
    title = f"Mentorships and roles for {overview.name(about)}" if about else "Mentorships and roles"
    lines: list[str] = []
    for m in overview.mentorships:
        lines.append(
            f"• <@{m.mentor_id}> mentors <@{m.mentee_id}> ({KIND_LABEL[m.mentee_kind]}), "
            f"{m.start_date:%-d %b %Y} – {m.end_date:%-d %b %Y}"
        )
    if not lines:
        lines.append("_No mentorships yet._")
    role_lines = [f"• <@{g.user_id}>: {ROLE_LABEL[g.role]}" for g in overview.grants] or ["_No roles given yet._"]
    blocks: list[Block] = [header(title)]
    blocks += sections_for_lines([f"*Mentorships ({len(overview.mentorships)})*", *lines])
    blocks += sections_for_lines(["*Roles*", *role_lines])
    if about is None:
        channel = f"<#{overview.slt_channel_id}>" if overview.slt_channel_id else "_not set_"
        blocks.append(context(f"SLT summary channel: {channel}"))
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        # Each section already holds ~3000 characters; keep the message inside Slack's limit.
        kept = blocks[: MESSAGE_BLOCK_LIMIT - 1]
        kept.append(context("The list is too long to show in full here; use `/mentor list @person` for one person."))
        blocks = kept
    fallback = f"{user_text(title)}: {counted(len(overview.mentorships), 'mentorship')}"
    return fallback, blocks


_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def _who(user_id: str | None) -> str:
    """A Slack user as a mention; anything else (the roster import, an erased person's pseudonym) as code."""
    if not user_id:
        return "—"
    if _SLACK_USER.match(user_id) and not user_id.startswith("UERASED"):
        return f"<@{user_id}>"
    return "`" + user_id.replace("`", "'") + "`"


def audit_blocks(trail: AuditTrail, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """The latest audit entries, newest first: who, action, subject, record, when. Never an entry's detail."""
    title = "Audit log" + (" (by or about one person)" if trail.about else "")
    lines = []
    for entry in trail.entries:
        record_id = "" if entry.record_id is None else entry.record_id
        record = f" · {entry.record_type} {record_id}".rstrip() if entry.record_type else ""
        subject = f" → {_who(entry.subject_id)}" if entry.subject_id else ""
        lines.append(
            f"{entry.at.astimezone(tz):%-d %b %Y %H:%M} · {_who(entry.actor_id)} `{entry.action}`{subject}{record}"
        )
    if not lines:
        lines.append("_No entries yet._")
    blocks: list[Block] = [header(title)]
    if trail.about:
        blocks.append(section(f"Entries by or about <@{trail.about}>"))
    blocks += sections_for_lines(lines)[: MESSAGE_BLOCK_LIMIT - 3]
    shown = len(trail.entries)
    blocks.append(
        context(f"Showing the latest {shown} of {counted(trail.total, 'entry')}, newest first. Times are school time.")
    )
    return f"{title}: the latest {shown} of {counted(trail.total, 'entry')}", blocks

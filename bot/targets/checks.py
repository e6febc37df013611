"""Writing a good target: the Teachers' Standards it links to, and the gentle checks (specific, dated, linked,
not too many) shown before it is confirmed. No storage here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.due_dates import describe
from bot.core.standards import suggest_standards
from storage.roster import MeetingCadence

TEXT_LIMIT = 3000
MAX_NEW_PER_WEEK = 3
ROLLOVER_FLAG_AT = 2  # meetings a target may be carried past, still open, before it is flagged
DRAFT_LIFETIME = timedelta(days=7)

# The Teachers' Standards (2011), short enough for a Slack option (75 characters).
STANDARDS: dict[str, str] = {
    "1": "1 · Set high expectations",
    "2": "2 · Promote good progress",
    "3": "3 · Subject and curriculum knowledge",
    "4": "4 · Plan and teach well-structured lessons",
    "5": "5 · Adapt teaching to all pupils",
    "6": "6 · Accurate and productive assessment",
    "7": "7 · Manage behaviour effectively",
    "8": "8 · Wider professional responsibilities",
    "P2": "Part Two · Personal and professional conduct",
}

# With no date typed, a target is due by the next meeting; for twice-a-term mentorships that is too far
# off for a short-term target, so two weeks. (How often meetings must happen is in bot.services.digests.)
DEFAULT_DUE_DAYS = {MeetingCadence.WEEKLY: 7, MeetingCadence.FORTNIGHTLY: 14, MeetingCadence.TWICE_A_TERM: 14}


def standards_text(codes: Sequence[str]) -> str:
    """ "Standards 6 and 7", "Standard 4", "Part Two"; "" for none."""
    numbers = [c for c in codes if c != "P2"]
    parts = []
    if numbers:
        joined = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        parts.append(("Standard " if len(numbers) == 1 else "Standards ") + joined)
    if "P2" in codes:
        parts.append("Part Two")
    return " and ".join(parts)


def clean_standards(codes: Sequence[str]) -> list[str]:
    """Known codes only, in the Standards' own order, without repeats."""
    wanted = set(codes)
    return [code for code in STANDARDS if code in wanted]


def suggested_standards(text: str) -> list[str]:
    return clean_standards([str(n) for n in suggest_standards(text)])


# --- the gentle checks ---------------------------------------------------------------------------

# Words that make a target an aim rather than something you could see in a lesson.
_VAGUE_START = re.compile(
    r"^\s*(?:to\s+)?(?:try\s+to\s+|continue\s+to\s+)?"
    r"(?:improve|better|get\s+better|be\s+better|work\s+on|develop|focus\s+on|think\s+about|consider|"
    r"understand|know|learn\s+about|be\s+more|become|enhance|strengthen|look\s+at|reflect\s+on|"
    r"keep\s+working|raise|increase)\b",
    re.IGNORECASE,
)
_SPECIFIC_WORDS = 7  # a vague verb with this many words or more usually says how


@dataclass(frozen=True)
class Check:
    ok: bool
    label: str  # "Specific", "Dated", …
    why: str  # shown when not ok (and sometimes when ok)


def check_target(text: str, *, due_given: bool, due: date, standards: Sequence[str], new_this_week: int) -> list[Check]:
    """What an appropriate body looks for in a target: specific, dated, linked to a standard, not too many.

    `new_this_week` counts this target too. The checks only advise: the mentor can still save it.
    """
    words = text.split()
    vague = bool(_VAGUE_START.match(text)) and len(words) < _SPECIFIC_WORDS
    checks = [
        Check(
            not vague and len(words) >= 3,
            "Specific",
            "Name an action someone could see in a lesson (e.g. “Use a countdown and narrate the positive at "
            "every transition”) rather than an aim like “improve behaviour”.",
        ),
        Check(
            due_given,
            "Dated",
            f"No date was given, so I suggested {describe(due)}. Change it if another date suits better.",
        ),
        Check(
            bool(standards),
            "Linked to a standard",
            "Choose the Teachers' Standard it serves so its progress shows against that standard.",
        ),
        Check(
            new_this_week <= MAX_NEW_PER_WEEK,
            "At most three new this week",
            f"This would be new target number {new_this_week} this week: three at most is easier to act on.",
        ),
    ]
    return checks


# --- shared rules for mentees and their mentorships ----------------------------------------------

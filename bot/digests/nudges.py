"""The lead mentor's digest **Nudge**: a DM to a mentor naming the mentees they haven't met on cadence.

Who is named is what the digest lists (`SchoolWeek.quiet_mentors`, by bot/core/cadence.py), read again at
the click, so a meeting logged since the digest is taken into account. A mentor is nudged at most once a
day: the nudge is claimed (storage/digests.py `nudges`) before the DM goes, and released if it can't go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import InvalidInput
from bot.core.permissions import Action, require
from bot.digests.service import DigestBuilder, Week
from bot.roster.service import Caller
from storage.db import Database
from storage.digests import NudgeRepository

NUDGE_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class Nudge:
    team_id: str
    mentor_id: str
    mentee_ids: list[str]  # off their meeting cadence, as the digest lists them
    day: date


class NudgeService:
    def __init__(self, db: Database, builder: DigestBuilder, school_tz: ZoneInfo) -> None:
        self.db = db
        self.builder = builder
        self.school_tz = school_tz

    def claim(self, caller: Caller, mentor_id: str, now: datetime) -> Nudge:
        """The nudge to send, claimed for today; InvalidInput when there is nobody to name or it was sent."""
        require(Action.NUDGE_MENTOR, caller.standings)
        today = now.astimezone(self.school_tz).date()
        school = self.builder.build(caller.team_id, Week.containing(today))
        mentees = school.quiet_mentors.get(mentor_id, [])
        if not mentees:
            raise InvalidInput(
                f"<@{mentor_id}> has no mentee off their meeting cadence now (a meeting may have been logged "
                "since the digest), so there's nothing to nudge."
            )
        with self.db.unit_of_work() as session:
            repo = NudgeRepository(session)
            earlier = repo.latest_since(caller.team_id, mentor_id, now - NUDGE_EVERY)
            if earlier is None and repo.claim(caller.team_id, mentor_id, today, caller.user_id, now):
                return Nudge(caller.team_id, mentor_id, mentees, today)
            earlier = earlier or repo.latest_since(caller.team_id, mentor_id, now - NUDGE_EVERY)
        if earlier is None:  # a racing click claimed it and then released it: nothing was sent
            raise InvalidInput(f"Someone is nudging <@{mentor_id}> right now: try again in a minute if it fails.")
        by = "You" if earlier.nudged_by == caller.user_id else f"<@{earlier.nudged_by}>"
        when = earlier.sent_at.astimezone(self.school_tz)
        day = "today" if when.date() == today else "yesterday"
        raise InvalidInput(
            f"{by} already nudged <@{mentor_id}> {day} at {when:%H:%M}: one nudge a day is enough. "
            "I'll list them again in next week's digest if nothing is logged."
        )

    def release(self, nudge: Nudge) -> None:
        """The DM couldn't be sent: forget the claim, so another click can try."""
        with self.db.unit_of_work() as session:
            NudgeRepository(session).release(nudge.team_id, nudge.mentor_id, nudge.day)

"""Keys of requests already acted on: the same payload twice (a double-click, a retry, a replay) acts once.

A use case claims its request's key in the same transaction as its change, as its first write: of two
identical requests at once the second waits for the first (PostgreSQL: the unique index; SQLite: the write
lock), then finds the key taken and changes nothing. A transaction that fails releases its key with it,
so pressing Save again after an error still saves. Never commits: the unit of work does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime
from storage.db import insert_ignoring_conflicts


class SubmissionKey(Base):
    __tablename__ = "submission_keys"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    # "<what>:<digest of Slack's id for the request>": a view id, a trigger id; never anything typed.
    key: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def request_key(what: str, slack_id: str) -> str:
    """The key for `what` done by the request Slack identifies by `slack_id` (kept short whatever its length)."""
    return f"{what}:{hashlib.sha256(slack_id.encode()).hexdigest()[:40]}"


class SubmissionKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, team_id: str, key: str, now: datetime) -> bool:
        """True for the one request that claimed `key` first; False for its repeats."""
        values = {"team_id": team_id, "key": key, "created_at": now}
        return insert_ignoring_conflicts(self.session, SubmissionKey, values, on=["team_id", "key"])

    def is_repeat(self, team_id: str, what: str, slack_id: str, now: datetime) -> bool:
        """Claim `what` for the request Slack identifies by `slack_id`; True when it was claimed before.

        Call it as the transaction's first write. No `slack_id` (a caller outside Slack): never a repeat.
        """
        return bool(slack_id) and not self.claim(team_id, request_key(what, slack_id), now)

    def delete_before(self, created_before: datetime) -> int:
        """Keys older than any request Slack would still accept (every workspace)."""
        result = self.session.execute(
            delete(SubmissionKey)
            .where(SubmissionKey.created_at < created_before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

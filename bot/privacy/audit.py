"""The audit trail of privacy work: the actors the log names for the CLI and for retention, and reading the log
(`/mentor audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.permissions import Action, require
from storage import privacy as statements
from storage.db import Database
from storage.roster import AuditEntry

if TYPE_CHECKING:
    from bot.roster.service import Caller

CLI_ACTOR = "privacy-cli"
RETENTION_ACTOR = "privacy-retention"
AUDIT_PAGE = 30  # entries shown by /mentor audit


@dataclass(frozen=True)
class AuditTrail:
    entries: list[AuditEntry]  # newest first
    total: int  # entries there are altogether (for this person, if one was named)
    about: str | None


def audit_trail(db: Database, caller: Caller, *, about: str | None = None, limit: int = AUDIT_PAGE) -> AuditTrail:
    """The latest entries of the caller's workspace (by or about one person, if named). Admins only."""
    require(Action.READ_AUDIT_LOG, caller.standings)
    with db.unit_of_work() as session:
        entries, total = statements.audit_page(session, caller.team_id, about, limit)
        return AuditTrail(entries, total, about)

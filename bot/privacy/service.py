"""UK GDPR tools: what the bot holds about a person, exporting it, erasing it, retention, and reading the audit log.

`REGISTRY` says, for every table in the models, which columns hold a person's Slack id, which hold free text
or other personal data, and which hold nothing personal. Export and erasure are driven by it alone, so a table
or column that is not listed cannot silently escape them: `registry_problems()` names what is missing (and
tests/privacy/test_privacy.py fails), and export and erasure refuse to run until the registry is complete.

Erasure keeps the rows that carry counts (mentorships, observations, meetings, targets…) so cohort statistics
stay right: the person's Slack id is replaced everywhere by a pseudonym ("UERASED" + 10 hex digits), free text
about them is blanked, their name, email and time zone are removed, and rows that only mattered while they were
here (their roles, unconfirmed target drafts, digest deliveries to them) are deleted.

The work is split by job, one module each: `registry` (the classification and its check), `export` (collecting
a person's data), `export_files` (the JSON, CSV and PDF files), `erasure`, `retention` and `audit` (reading the
audit log). This module is the privacy feature's public face: import from here.
"""

from bot.privacy.audit import AUDIT_PAGE, CLI_ACTOR, RETENTION_ACTOR, AuditTrail, audit_trail
from bot.privacy.erasure import ErasureReport, TableChange, erase_person, preview_erasure
from bot.privacy.export import Found, PersonalData, collect, export_person
from bot.privacy.export_files import render_pdf, to_csv, to_json, write_export, write_private
from bot.privacy.registry import (
    ERASED_TEXT,
    PSEUDONYM_PREFIX,
    REGISTRY,
    Erase,
    Link,
    RegistryIncomplete,
    TableRule,
    blank_value,
    is_pseudonym,
    jsonable,
    new_pseudonym,
    registry_problems,
)
from bot.privacy.retention import DEFAULT_RETENTION_DAYS, RetentionReport, erase_expired, expired_people, run_retention

__all__ = [
    "AUDIT_PAGE",
    "CLI_ACTOR",
    "DEFAULT_RETENTION_DAYS",
    "ERASED_TEXT",
    "PSEUDONYM_PREFIX",
    "REGISTRY",
    "RETENTION_ACTOR",
    "AuditTrail",
    "Erase",
    "ErasureReport",
    "Found",
    "Link",
    "PersonalData",
    "RegistryIncomplete",
    "RetentionReport",
    "TableChange",
    "TableRule",
    "audit_trail",
    "blank_value",
    "collect",
    "erase_expired",
    "erase_person",
    "expired_people",
    "export_person",
    "is_pseudonym",
    "jsonable",
    "new_pseudonym",
    "preview_erasure",
    "registry_problems",
    "render_pdf",
    "run_retention",
    "to_csv",
    "to_json",
    "write_export",
    "write_private",
]

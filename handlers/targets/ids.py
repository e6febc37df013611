"""Every Slack id of /target, named once: the command, action_ids and block_id prefixes."""

from __future__ import annotations

TARGET = "/target"

# action_id values (each names one kind of interaction, wherever it appears)
DRAFT_CONFIRM = "target_draft_confirm"
DRAFT_DUE = "target_draft_due"
DRAFT_STANDARDS = "target_draft_standards"
# buttons that set the draft's date to the one in their value ("<draft key>|<YYYY-MM-DD>")
DRAFT_KEEP_PASSED = "target_draft_keep_passed"  # a day and month just gone: this year's, overdue
DRAFT_NEXT_YEAR = "target_draft_next_year"  # … or next year's
DRAFT_DAY_BEFORE = "target_draft_day_before"  # a weekend or holiday: the last school day before it
DRAFT_DAY_AFTER = "target_draft_day_after"  # … or the first after
DRAFT_DATE_BUTTONS = (DRAFT_KEEP_PASSED, DRAFT_NEXT_YEAR, DRAFT_DAY_BEFORE, DRAFT_DAY_AFTER)
TARGET_READY = "target_ready"
TARGET_MET = "target_met"
TARGET_NOT_MET = "target_not_met"
TARGET_DROP = "target_drop"
TARGET_DUE = "target_due"
TARGET_STANDARDS = "target_standards"

# block_id prefixes: the draft key or the target id follows
DRAFT_BLOCK = "target_draft:"
DRAFT_CHOICE_BLOCK = "target_draft_date:"  # the school-day buttons under a weekend or holiday date
TARGET_BLOCK = "target:"

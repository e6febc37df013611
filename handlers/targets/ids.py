"""Every Slack id of /target, named once: the command, action_ids and block_id prefixes."""

from __future__ import annotations

TARGET = "/target"

# action_id values (each names one kind of interaction, wherever it appears)
DRAFT_CONFIRM = "target_draft_confirm"
DRAFT_DUE = "target_draft_due"
DRAFT_STANDARDS = "target_draft_standards"
TARGET_READY = "target_ready"
TARGET_MET = "target_met"
TARGET_NOT_MET = "target_not_met"
TARGET_DROP = "target_drop"
TARGET_DUE = "target_due"
TARGET_STANDARDS = "target_standards"

# block_id prefixes: the draft key or the target id follows
DRAFT_BLOCK = "target_draft:"
TARGET_BLOCK = "target:"

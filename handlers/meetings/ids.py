"""Every Slack id of /meeting, named once: the command, callback_ids, action_ids and block_ids.

The meeting modal's input blocks are named after the service's fields (bot/meetings/service.py), so the
errors the service returns land beside the right field; they are re-exported here under the same names.
"""

from __future__ import annotations

from bot.meetings.service import (
    DURATION,
    HELD_ON,
    NEXT_MEETING,
    NOTES,
    WELLBEING_NOTE,
    WELLBEING_SCORE,
    new_target_field,
)

MEETING = "/meeting"

# callback_id values
MEETING_CALLBACK = "meeting_log"
CORRECT_CALLBACK = "meeting_correct"
COMMENT_CALLBACK = "meeting_sign_off_comment"

# action_id values
VALUE = "value"  # every input's element
SIGN_OFF = "meeting_sign_off"
SIGN_OFF_WITH_COMMENT = "meeting_sign_off_with_comment"
CORRECT = "meeting_correct"
LOG_MEETING = "meeting_log_open"

# block_id values and prefixes (+ the record's id)
REVIEW_BLOCK = "review:"  # + target id
COMMENT = "comment"
SIGN_OFF_BLOCK = "meeting:"  # + meeting id
CORRECT_BLOCK = "meeting_correct:"  # + meeting id
REMINDER_BLOCK = "meeting_reminder:"  # + mentorship id

__all__ = [
    "COMMENT",
    "COMMENT_CALLBACK",
    "CORRECT",
    "CORRECT_BLOCK",
    "CORRECT_CALLBACK",
    "DURATION",
    "HELD_ON",
    "LOG_MEETING",
    "MEETING",
    "MEETING_CALLBACK",
    "NEXT_MEETING",
    "NOTES",
    "REMINDER_BLOCK",
    "REVIEW_BLOCK",
    "SIGN_OFF",
    "SIGN_OFF_BLOCK",
    "SIGN_OFF_WITH_COMMENT",
    "VALUE",
    "WELLBEING_NOTE",
    "WELLBEING_SCORE",
    "new_target_field",
]

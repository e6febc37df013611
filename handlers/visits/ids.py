"""Every Slack id of peer visits and learning walks, named once."""

from handlers.slack.shared_ids import RECORD_WALK as RECORD_WALK_SHARED

VISIT = "/visit"
WALK_WORD = "walk"

# Modals (callback ids).
VISIT_CALLBACK = "visit_log"
REPLY_CALLBACK = "visit_reply"
WALK_CALLBACK = "visit_walk"

# Buttons (action ids).
REPLY = "visit_reply_open"  # value: visit id; the visited colleague's thanks or comment
RECORD_WALK = RECORD_WALK_SHARED  # the Home tab's Record a learning walk
VISIT_BLOCK = "visit_actions"

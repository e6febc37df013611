"""Every Slack id the concerns feature uses, named once (those other features' messages carry live in
handlers/slack/shared_ids.py and are re-exported here)."""

from handlers.slack.shared_ids import ASK_WHO as ASK_WHO
from handlers.slack.shared_ids import RAISE_FROM_OBSERVATION, RAISE_FROM_WARNING, SEE_CONCERN
from handlers.slack.shared_ids import SEE_PLAN as SEE_PLAN_SHARED
from handlers.slack.shared_ids import SIGN_PLAN as SIGN_PLAN_SHARED
from handlers.slack.shared_ids import START_PLAN as START_PLAN_SHARED

CONCERN = "/concern"

# Modals (callback ids).
RAISE_CALLBACK = "concern_raise"
TRAIL_CALLBACK = "concern_trail"
ADD_CALLBACK = "concern_add"
RESOLVE_CALLBACK = "concern_resolve"

# Buttons (action ids).
VIEW_ACTION = SEE_CONCERN
ADD_ACTION = "concern_add_open"
RESOLVE_ACTION = "concern_resolve_open"
# On an observation that recorded a concern or "not on track" (the lead mentor's alert): carries its evidence.
FROM_OBSERVATION = RAISE_FROM_OBSERVATION
FROM_WARNING = RAISE_FROM_WARNING  # an early warning's Raise a concern: carries its evidence

ACTIONS_BLOCK = "concern_actions"

# Support plans. `/concern plan @mentee` opens the plan modal; so do Start a support plan (Home, early warnings:
# handlers/slack/shared_ids.py) and Start a support plan on a concern's trail.
PLAN_WORD = "plan"
PLAN_CALLBACK = "plan_start"
PLAN_REVIEW_CALLBACK = "plan_review"
PLAN_VIEW_CALLBACK = "plan_view"
START_PLAN = START_PLAN_SHARED
SEE_PLAN = SEE_PLAN_SHARED
SIGN_PLAN = SIGN_PLAN_SHARED
PLAN_FROM_CONCERN = "plan_from_concern"  # value: concern id
REVIEW_PLAN = "plan_review_open"  # value: plan id
PLAN_ACTIONS_BLOCK = "plan_actions"
REMINDER_BLOCK = "plan_reminder"

# The probation mid-point: SLT's DM and the Record agreed actions modal.
RECORD_ACTIONS = "midpoint_record_open"  # value: the mentee's Slack id
MIDPOINT_CALLBACK = "midpoint_actions"
MIDPOINT_BLOCK = "midpoint"

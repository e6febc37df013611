"""Every Slack id the concerns feature uses, named once."""

CONCERN = "/concern"

# Modals (callback ids).
RAISE_CALLBACK = "concern_raise"
TRAIL_CALLBACK = "concern_trail"
ADD_CALLBACK = "concern_add"
RESOLVE_CALLBACK = "concern_resolve"

# Buttons (action ids).
VIEW_ACTION = "concern_view"
ADD_ACTION = "concern_add_open"
RESOLVE_ACTION = "concern_resolve_open"
# On an observation that recorded a concern or "not on track" (the lead mentor's alert): carries its evidence.
FROM_OBSERVATION = "concern_from_observation"

ACTIONS_BLOCK = "concern_actions"

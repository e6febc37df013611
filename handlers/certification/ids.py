"""Every Slack id the certification feature uses, named once."""

EVIDENCE = "/evidence"
TRAINING_WORD = "training"

# Modals (callback ids).
REFLECTION_CALLBACK = "certification_reflection"
TRAINING_CALLBACK = "certification_training"
COMMENT_CALLBACK = "certification_comment"
TICK_CALLBACK = "certification_tick"
OUTCOME_CALLBACK = "certification_outcome"

# Buttons (action ids) on a lead mentor's `/mentor portfolio @mentor` reply; value: the mentor's Slack id.
COMMENT_OPEN = "certification_comment_open"
TICK_OPEN = "certification_tick_open"
OUTCOME_OPEN = "certification_outcome_open"
# On the mentor's own Home: open the reflection and training modals.
REFLECT_OPEN = "certification_reflect_open"
TRAINING_OPEN = "certification_training_open"

LEAD_ACTIONS_BLOCK = "certification_lead_actions"
HOME_ACTIONS_BLOCK = "certification_home_actions"

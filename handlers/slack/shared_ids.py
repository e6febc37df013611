"""Action ids that one feature's messages carry and another feature's listeners answer, named once here.

A feature's handlers never import another feature's handlers, yet an observation offers **Raise as a
concern**, the Home tab and the lead digest show open concerns with **See the trail**, and early warnings
carry **Raise a concern** / **Start a support plan**. The buttons are built by the feature that shows them
with these ids; the concerns listeners (handlers/concerns/listeners.py) answer them. Each button's value is
the record it is about (an observation, a concern, a plan, a warning, or a mentee's Slack id).
"""

from __future__ import annotations

RAISE_FROM_OBSERVATION = "concern_from_observation"  # value: observation id; carries its evidence
SEE_CONCERN = "concern_view"  # value: concern id; opens the trail
RAISE_FROM_WARNING = "concern_from_warning"  # value: early-warning episode id; carries its evidence
START_PLAN = "plan_start"  # value: a mentee's Slack id, or ASK_WHO (the modal asks who the plan is for)
ASK_WHO = "ask"
SEE_PLAN = "plan_view"  # value: plan id
SIGN_PLAN = "plan_sign"  # value: plan id; the mentee signs to say they have seen it

# Coaching and visits (handlers/coaching, handlers/visits): buttons the Home tab shows.
BOOK_SESSION = "coaching_book"  # value: triplet id; opens the Book our session modal
RECORD_WALK = "visit_walk_open"  # value: "walk"; SLT's Record a learning walk
PROPOSE_TRIPLETS = "coaching_propose_open"  # value: "propose"; SLT's and admins' Propose triplets

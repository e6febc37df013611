"""Every Slack id of /observe, named once: the command, callback_ids, action_ids and block_ids.

The lesson details' input blocks are named after the service's fields (bot/observations/service.py), so
the errors it returns land beside the right field; they are re-exported here under the same names. A
form's own fields are `field:<key>` blocks, their comments `comment:<key>` (see `field_block_id`).
"""

from __future__ import annotations

from bot.observations.service import (
    CLASS_GROUP,
    DATE,
    DURATION,
    FOCUS,
    PUPILS,
    SECOND_OBSERVER,
    SUBJECT,
    TEACHER,
    comment_key,
)

OBSERVE = "/observe"

# callback_id values
OBSERVE_CALLBACK = "observation_submit"
EDIT_CALLBACK = "observation_edit"
REFLECT_CALLBACK = "observation_reflect"

# action_id values
FORM_CHOICE_ACTION = "observation_form_choice"
REFLECT_ACTION = "observation_reflect_open"
VIEW_ACTION = "observation_view"
EDIT_ACTION = "observation_edit_open"
VALUE = "value"  # every input's element

# block_id values
FORM = "form"
REFLECTION, REFLECTION_NEXT_STEPS = "reflection", "reflection_next_steps"
ACTIONS_BLOCK = "observation_actions"  # the buttons under an observation message
VIEW_BLOCK = "observation_view"  # the "read in full" button of a reflected observation
LESSON_KEYS = frozenset({TEACHER, FORM, DATE, SUBJECT, CLASS_GROUP, PUPILS, DURATION, FOCUS, SECOND_OBSERVER})


def field_block_id(key: str) -> str:
    """Where a service's field-error key shows in the modal."""
    if key in LESSON_KEYS or key.startswith("comment:"):
        return key
    return f"field:{key}"


__all__ = [
    "ACTIONS_BLOCK",
    "CLASS_GROUP",
    "DATE",
    "DURATION",
    "EDIT_ACTION",
    "EDIT_CALLBACK",
    "FOCUS",
    "FORM",
    "FORM_CHOICE_ACTION",
    "LESSON_KEYS",
    "OBSERVE",
    "OBSERVE_CALLBACK",
    "PUPILS",
    "REFLECTION",
    "REFLECTION_NEXT_STEPS",
    "REFLECT_ACTION",
    "REFLECT_CALLBACK",
    "SECOND_OBSERVER",
    "SUBJECT",
    "TEACHER",
    "VALUE",
    "VIEW_ACTION",
    "VIEW_BLOCK",
    "comment_key",
    "field_block_id",
]

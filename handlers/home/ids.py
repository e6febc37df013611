"""Every Slack id of the App Home tab, named once: callback_ids, action_ids and block_ids."""

from __future__ import annotations

# callback_id values
HOME_CALLBACK = "home"
TARGET_CALLBACK = "home_target"

# action_id values
MORE_ACTION = "home_more"
BACK_ACTION = "home_back"
LOG_MEETING_ACTION = "home_log_meeting"
OBSERVE_ACTION = "home_observe"
SET_TARGET_ACTION = "home_set_target"
REFLECT_ACTION = "home_reflect"
VALUE = "value"  # the Set target modal's input element

# block_id values and prefixes
TARGET_TEXT = "target_text"
PAGE_BLOCK = "home_page:"  # + the list's key
REFLECT_BLOCK = "home_reflect:"  # + observation id
MENTEE_ACTIONS_BLOCK = "home_{where}:{mentee_id}"  # a mentee's buttons, in the mentor's or the lead's section


def mentee_actions_block(where: str, mentee_id: str) -> str:
    return MENTEE_ACTIONS_BLOCK.format(where=where, mentee_id=mentee_id)

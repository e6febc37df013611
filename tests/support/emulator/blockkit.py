"""Slack's Block Kit rules, checked without HTTP: `validate_view(view)` and `message_errors(message)` return
what Slack would reject, so a unit test can check a builder's output directly. The emulator uses the same checks."""

from __future__ import annotations

import copy
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
TEXT_MAX_LENGTH = 40_000
VIEW_TITLE_MAX = 24
VIEW_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
VIEW_STACK_MAX = 3
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
# Keys a view payload may carry (slack_sdk's View attributes plus workflow-step's submit_disabled).
VIEW_KEYS = frozenset(View.attributes) | {"submit_disabled"}
OPTION_KEYS = frozenset({"text", "value", "description", "url"})
# Elements whose options must use plain_text (checkboxes / radio_buttons also allow mrkdwn).
PLAIN_TEXT_OPTION_ELEMENTS = frozenset({"static_select", "multi_static_select", "overflow"})


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _diff_round_trip(raw: Any, out: Any, pointer: str) -> list[str]:
    """Compare what was sent with what slack_sdk's models kept; anything dropped or changed is an error."""
    if isinstance(raw, dict):
        if out is None:
            return [f"{pointer}: unknown or unsupported element/object type {raw.get('type')!r}"]
        if not isinstance(out, dict):
            return [f"{pointer}: expected {type(out).__name__}, got an object"]
        errors: list[str] = []
        for key, value in raw.items():
            if key not in out:
                if value is None:
                    continue
                if isinstance(value, list | dict | str) and len(value) == 0:
                    errors.append(f"{pointer}/{key}: empty value is not allowed")
                else:
                    owner = raw.get("type", "this object")
                    errors.append(f"{pointer}/{key}: unknown key {key!r} for {owner!r}")
            else:
                errors.extend(_diff_round_trip(value, out[key], f"{pointer}/{key}"))
        return errors
    if isinstance(raw, list):
        if not isinstance(out, list):
            return [f"{pointer}: expected {type(out).__name__}, got an array"]
        errors = []
        if len(raw) != len(out):
            errors.append(f"{pointer}: {len(raw) - len(out)} item(s) were not understood")
        for index, (a, b) in enumerate(zip(raw, out, strict=False)):
            errors.extend(_diff_round_trip(a, b, f"{pointer}/{index}"))
        return errors
    if isinstance(raw, str) and isinstance(out, dict):
        return [f"{pointer}: expected a text object ({{'type': ..., 'text': ...}}), got a string"]
    if raw != out:
        return [f"{pointer}: value {_describe(raw)} is not valid here"]
    return []


def _check_plain_text(
    value: Any,
    pointer: str,
    *,
    required: bool = True,
    max_length: int | None = None,
) -> list[str]:
    if value is None:
        return [f"{pointer}: is required"] if required else []
    if not isinstance(value, dict):
        return [f"{pointer}: must be a plain_text object, got {type(value).__name__}"]
    errors: list[str] = []
    if value.get("type") != "plain_text":
        errors.append(f"{pointer}/type: must be 'plain_text', got {value.get('type')!r}")
    text = value.get("text")
    if not isinstance(text, str) or not text:
        errors.append(f"{pointer}/text: must be a non-empty string")
    elif max_length is not None and len(text) > max_length:
        errors.append(f"{pointer}/text: must be at most {max_length} characters (got {len(text)})")
    return errors


def _check_option(option: Any, pointer: str, *, plain_text_only: bool) -> list[str]:
    if not isinstance(option, dict):
        return [f"{pointer}: an option must be an object"]
    unknown = [key for key in option if key not in OPTION_KEYS]
    errors = [f"{pointer}/{key}: unknown key {key!r} for an option" for key in unknown]
    text = option.get("text")
    if plain_text_only:
        errors.extend(_check_plain_text(text, f"{pointer}/text", max_length=OPTION_TEXT_MAX))
    elif not isinstance(text, dict) or text.get("type") not in ("plain_text", "mrkdwn"):
        errors.append(f"{pointer}/text: must be a text object")
    elif not isinstance(text.get("text"), str) or not text["text"]:
        errors.append(f"{pointer}/text/text: must be a non-empty string")
    elif len(text["text"]) > OPTION_TEXT_MAX:
        errors.append(f"{pointer}/text/text: must be at most {OPTION_TEXT_MAX} characters")
    value = option.get("value")
    if not isinstance(value, str) or not value:
        errors.append(f"{pointer}/value: is required (a non-empty string)")
    elif len(value) > OPTION_VALUE_MAX:
        errors.append(f"{pointer}/value: must be at most {OPTION_VALUE_MAX} characters")
    return errors


def _check_options(element: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    plain_only = element.get("type") in PLAIN_TEXT_OPTION_ELEMENTS
    for key in ("options", "initial_options"):
        options = element.get(key)
        if options is None:
            continue
        if not isinstance(options, list) or (key == "options" and not options):
            errors.append(f"{pointer}/{key}: must be a non-empty array of options")
            continue
        if len(options) > OPTIONS_MAX:
            errors.append(f"{pointer}/{key}: must have at most {OPTIONS_MAX} options")
        for index, option in enumerate(options):
            errors.extend(_check_option(option, f"{pointer}/{key}/{index}", plain_text_only=plain_only))
    if element.get("initial_option") is not None:
        initial = element["initial_option"]
        errors.extend(_check_option(initial, f"{pointer}/initial_option", plain_text_only=plain_only))
    groups = element.get("option_groups")
    if groups is not None:
        if not isinstance(groups, list) or not groups:
            errors.append(f"{pointer}/option_groups: must be a non-empty array")
        else:
            for g_index, group in enumerate(groups):
                g_pointer = f"{pointer}/option_groups/{g_index}"
                if not isinstance(group, dict):
                    errors.append(f"{g_pointer}: must be an object")
                    continue
                errors.extend(_check_plain_text(group.get("label"), f"{g_pointer}/label", max_length=75))
                group_options = group.get("options")
                if not isinstance(group_options, list) or not group_options:
                    errors.append(f"{g_pointer}/options: must be a non-empty array of options")
                    continue
                for index, option in enumerate(group_options):
                    errors.extend(_check_option(option, f"{g_pointer}/options/{index}", plain_text_only=True))
    return errors


def _check_element(element: Any, pointer: str) -> list[str]:
    """Rules for interactive elements that slack_sdk's models do not enforce."""
    if not isinstance(element, dict):
        return []
    errors: list[str] = []
    element_type = element.get("type")
    if element_type == "button":
        errors.extend(_check_plain_text(element.get("text"), f"{pointer}/text", max_length=75))
    if "placeholder" in element:
        errors.extend(_check_plain_text(element.get("placeholder"), f"{pointer}/placeholder", max_length=150))
    if any(key in element for key in ("options", "initial_options", "initial_option", "option_groups")):
        errors.extend(_check_options(element, pointer))
    return errors


def _extra_block_rules(block: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    block_type = block.get("type")
    if block_type == "header":
        errors.extend(_check_plain_text(block.get("text"), f"{pointer}/text", max_length=150))
    elif block_type == "input":
        errors.extend(_check_plain_text(block.get("label"), f"{pointer}/label", max_length=2000))
        if "hint" in block:
            errors.extend(_check_plain_text(block.get("hint"), f"{pointer}/hint", max_length=2000))
        if block.get("element") is None:
            errors.append(f"{pointer}/element: an input block requires an element")
        else:
            errors.extend(_check_element(block["element"], f"{pointer}/element"))
    elif block_type == "section":
        if block.get("accessory") is not None:
            errors.extend(_check_element(block["accessory"], f"{pointer}/accessory"))
    elif block_type == "actions":
        elements = block.get("elements")
        if isinstance(elements, list):
            seen: set[str] = set()
            for index, element in enumerate(elements):
                errors.extend(_check_element(element, f"{pointer}/elements/{index}"))
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if isinstance(action_id, str):
                    if action_id in seen:
                        where = f"{pointer}/elements/{index}/action_id"
                        errors.append(f"{where}: duplicate action_id {action_id!r} in this block")
                    seen.add(action_id)
    return errors


def validate_block(block: Any, pointer: str) -> list[str]:
    """Check one block; returns error strings ending in a JSON pointer-ish location."""
    if not isinstance(block, dict):
        return [f"{pointer}: a block must be an object, got {type(block).__name__}"]
    block_type = block.get("type")
    if not isinstance(block_type, str):
        return [f"{pointer}/type: is required"]
    if block_type == "input" and block.get("element") is None:
        return [f"{pointer}/element: an input block requires an element"]
    try:
        parsed = Block.parse(copy.deepcopy(block))
    except Exception as exc:
        return [f"{pointer}: {block_type!r} block could not be parsed ({exc})"]
    if parsed is None:
        return [f"{pointer}/type: unknown block type {block_type!r}"]
    try:
        parsed.validate_json()
        as_dict = parsed.to_dict()  # also validates nested elements and text objects
    except SlackObjectFormationError as exc:
        return [f"{pointer}: {exc}"]
    except Exception as exc:
        return [f"{pointer}: {block_type!r} block is malformed ({exc})"]
    errors = _diff_round_trip(block, as_dict, pointer)
    errors.extend(_extra_block_rules(block, pointer))
    # de-duplicate, keep order
    return list(dict.fromkeys(errors))


def validate_blocks(blocks: Any, pointer: str, *, max_blocks: int) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{pointer}: must be an array of blocks"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"{pointer}: no more than {max_blocks} blocks allowed (got {len(blocks)})")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        errors.extend(validate_block(block, f"{pointer}/{index}"))
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in block_ids:
                errors.append(f"{pointer}/{index}/block_id: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
    return errors


def validate_message(params: dict[str, Any]) -> tuple[str | None, list[str], list[str]]:
    """Returns (error code or None, error messages, warnings) for a message payload."""
    text = params.get("text")
    blocks = params.get("blocks")
    attachments = params.get("attachments")
    warnings: list[str] = []
    if text is not None and not isinstance(text, str):
        text = str(text)
    if isinstance(blocks, str):
        return "invalid_blocks_format", ["/blocks: is not valid JSON"], warnings
    if blocks is not None and blocks != []:
        errors = validate_blocks(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)
        if errors:
            return "invalid_blocks", errors, warnings
        if not text:
            warnings.append("blocks were sent without top-level `text` (Slack recommends fallback text)")
    elif not text and not attachments:
        return "no_text", ["/text: no text, blocks or attachments"], warnings
    if text and len(text) > TEXT_MAX_LENGTH:
        too_long = f"/text: must be at most {TEXT_MAX_LENGTH} characters (got {len(text)})"
        return "msg_too_long", [too_long], warnings
    return None, [], warnings


def validate_view(view: Any) -> list[str]:
    if isinstance(view, str):
        return ["/view: is not valid JSON"]
    if not isinstance(view, dict):
        return ["/view: is required (an object)"]
    errors = [f"/view/{key}: unknown key {key!r} for a view" for key in view if key not in VIEW_KEYS]
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        errors.append(f"/view/type: must be 'modal' or 'home', got {view_type!r}")
    try:
        model = View(**{**view, "blocks": [{"type": "divider"}]})  # blocks are checked one by one below
        model.validate_json()
    except SlackObjectFormationError as exc:
        errors.append(f"/view: {exc}")
    except Exception as exc:
        errors.append(f"/view: could not be parsed ({exc})")
    if view_type == "modal":
        errors.extend(_check_plain_text(view.get("title"), "/view/title", max_length=VIEW_TITLE_MAX))
        for key in ("submit", "close"):
            if view.get(key) is not None:
                errors.extend(_check_plain_text(view.get(key), f"/view/{key}", max_length=VIEW_BUTTON_MAX))
    private_metadata = view.get("private_metadata")
    if private_metadata is not None and (
        not isinstance(private_metadata, str) or len(private_metadata) > PRIVATE_METADATA_MAX
    ):
        errors.append(f"/view/private_metadata: must be a string of at most {PRIVATE_METADATA_MAX} chars")
    callback_id = view.get("callback_id")
    if callback_id is not None and (not isinstance(callback_id, str) or len(callback_id) > CALLBACK_ID_MAX):
        errors.append(f"/view/callback_id: must be a string of at most {CALLBACK_ID_MAX} characters")
    blocks = view.get("blocks")
    if blocks is None:
        errors.append("/view/blocks: is required")
    else:
        errors.extend(validate_blocks(blocks, "/view/blocks", max_blocks=VIEW_MAX_BLOCKS))
        listed = blocks if isinstance(blocks, list) else []
        block_types = [b.get("type") for b in listed if isinstance(b, dict)]
        has_input = "input" in block_types
        if view_type == "modal" and has_input and view.get("submit") is None:
            errors.append("/view/submit: is required when a modal contains input blocks")
    return list(dict.fromkeys(errors))


def message_errors(message: dict[str, Any]) -> list[str]:
    """What Slack would reject in a message payload (`text`, `blocks`, `attachments`); [] when it is accepted."""
    code, errors, _ = validate_message(message)
    return [] if code is None else errors or [code]

"""A local stand-in for the Slack Web API, for tests.

``SlackEmulator`` runs a real HTTP server on 127.0.0.1 (a random port) in a daemon thread. Point a
``slack_sdk.WebClient(base_url=emu.api_url, token=emu.bot_token)`` (or a Bolt app built on such a client)
at it and it answers the way Slack does: HTTP 200 with ``{"ok": true, ...}`` or ``{"ok": false,
"error": "..."}``, HTTP 429 with ``Retry-After`` or HTTP 500 when a failure was injected with
:meth:`SlackEmulator.fail_next`.

Every message and every view is checked with slack_sdk's Block Kit models plus a few rules Slack
enforces that the models do not (unknown/typo keys, plain_text-only fields, option objects, duplicate
block_id / action_id, ...). Each failure is appended to ``block_errors`` and answered like Slack:

* messages (chat.postMessage, chat.postEphemeral, chat.update, response_url posts):
  ``{"ok": false, "error": "invalid_blocks", "errors": [...], "response_metadata": {"messages": [...]}}``
  (a response_url post answers HTTP 400 with that JSON body);
* views (views.open, views.push, views.update, views.publish):
  ``{"ok": false, "error": "invalid_arguments", "errors": [...], "response_metadata": {"messages": [...]}}``.

Error choices worth knowing (as Slack does, where Slack documents it):

* no token -> ``not_authed``; a token other than the bot token -> ``invalid_auth``. The response_url and
  upload-URL endpoints need no token.
* posting to an unknown ``C…``/``G…`` id -> ``channel_not_found``; to a registered channel the bot is not in
  -> ``not_in_channel`` (a *private* channel the bot is not in is invisible: ``channel_not_found``);
* posting to a user id ``U…``/``W…`` that is unknown or deactivated (``deleted=True``) ->
  ``channel_not_found`` (what Slack answers for a DM it cannot open); to a bot user -> ``cannot_dm_bot``.
  Posting to a user id lands in the user's DM channel (``D…``), which is also what ``conversations.open``
  returns for that user.
* ``conversations.open`` for an unknown user -> ``user_not_found``; for a deactivated one ->
  ``user_disabled``.
* trigger ids: never issued -> ``invalid_trigger_id``; older than ``trigger_ttl`` seconds ->
  ``expired_trigger_id``; already used -> ``exchanged_trigger_id`` (Slack's code for a reused trigger).
  A trigger is only consumed by a successful views.open / views.push.
* views.update / views.publish with a stale ``hash`` -> ``hash_conflict``; unknown view -> ``not_found``.
* text over 40,000 characters -> ``msg_too_long``; neither text, blocks nor attachments -> ``no_text``.
* a ``D…`` id is only known once it was returned by ``conversations.open`` (or a post to the user id);
  an unknown ``D…`` -> ``channel_not_found``. Channels may also be addressed by ``#name``.
* ``files.upload`` (v1, retired by Slack) -> ``method_deprecated``; any other method not implemented here
  -> ``unknown_method``.

Only accepted posts count: ``messages_to`` lists successful chat.postMessage / chat.postEphemeral calls
and ``responses`` only bodies the response_url accepted (rejections are in ``block_errors``).
views.publish for an unknown or deactivated user -> ``user_not_found``. views.push goes onto the most
recently opened modal stack (at most 3 views -> ``push_limit_reached``); with no modal open it starts one.

Beyond the brief's API: ``Call.status`` / ``Call.response`` (what was answered), ``warnings``,
``history(channel)``, ``get_view(view_id)``, ``close_view(view_id)``, ``trigger_ttl`` and the methods
``users.list``, ``team.info`` and ``chat.getPermalink``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import email.parser
import email.policy
import json
import secrets
import threading
import time
import urllib.parse
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = ["Call", "SlackEmulator"]

JSON_ENCODED_KEYS = ("blocks", "view", "attachments", "metadata")
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

_TZ_LABELS = {
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "IST": "Irish Standard Time",
    "UTC": "Coordinated Universal Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
}


@dataclass
class Call:
    """One Web API call the emulator received."""

    method: str  # e.g. "chat.postMessage"
    params: dict[str, Any]  # decoded arguments (JSON-string blocks/view/attachments/metadata decoded)
    token: str | None
    status: int = 200  # HTTP status the emulator answered with
    response: dict[str, Any] | None = field(default=None, repr=False)  # JSON body answered, if JSON


@dataclass
class _Injection:
    error: str | None
    status: int
    retry_after: int | None
    times: int


class _Reply:
    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: SlackEmulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        emulator = cast(_Server, self.server).emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            reply = emulator._dispatch_http(self.path, dict(self.headers.items()), body)
        except Exception as exc:  # a bug in the emulator: answer 500 rather than hang the client
            reply = _Reply(500, f"emulator error: {exc!r}")
        if isinstance(reply.body, str):
            data = reply.body.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        else:
            data = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _ok(**payload: Any) -> dict[str, Any]:
    return {"ok": True, **payload}


def _err(error: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": error, **extra}


def _invalid_arguments(*messages: str) -> dict[str, Any]:
    return _err(
        "invalid_arguments",
        errors=list(messages),
        response_metadata={"messages": [f"[ERROR] {m}" for m in messages]},
    )


def _is_user_id(value: str) -> bool:
    return len(value) > 1 and value[0] in "UW" and value[1:].isalnum() and value.isupper()


# ---------------------------------------------------------------------------------------------------------
# Block Kit checks
# ---------------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------------
# The emulator
# ---------------------------------------------------------------------------------------------------------


class SlackEmulator:
    """A Slack Web API stand-in served over real HTTP. See the module docstring."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        team_name: str = "Test School",
        bot_user_id: str = "UBOT",
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "".join(c if c.isalnum() else "-" for c in team_name.lower()).strip("-") or "test"
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.app_id = "A0001"
        self.bot_name = "mentor-bot"
        self.trigger_ttl: float = 3.0

        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.block_errors: list[str] = []
        self.warnings: list[str] = []
        self.uploaded_files: list[dict[str, Any]] = []

        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._dm_by_user: dict[str, str] = {}
        self._user_by_dm: dict[str, str] = {}
        self._mpims: dict[str, list[str]] = {}
        self._injections: dict[str, list[_Injection]] = {}
        self._ts_micros = 1_700_000_000_000_000
        self._serial = 0
        self._reset_state()
        self.add_user(bot_user_id, self.bot_name, real_name="Mentor Bot", is_bot=True)

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="slack-emulator", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "default") -> str:
        return f"{self.base_url}/hooks/commands/{self.team_id}/{urllib.parse.quote(key, safe='')}"

    # -- fixtures -------------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "Europe/London",
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(tz)  # raises for an unknown zone name
        now = dt.datetime.now(dt.UTC)
        offset = zone.utcoffset(now)
        abbreviation = now.astimezone(zone).tzname() or tz
        real = real_name if real_name is not None else name
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "real_name": real,
                "real_name_normalized": real,
                "display_name": name,
                "display_name_normalized": name,
                "email": email,
                "team": team_id or self.team_id,
                "image_72": f"https://avatars.example.invalid/{user_id}_72.png",
            },
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }
        if email is None:
            del user["profile"]["email"]
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B" + user_id[1:]
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_member: bool = True,
        is_private: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "name_normalized": name,
                "is_channel": not is_private,
                "is_group": is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": is_private,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_org_shared": False,
                "is_ext_shared": False,
                "is_member": is_member,
                "created": 1_600_000_000,
                "creator": "",
                "context_team_id": self.team_id,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }

    def new_trigger_id(self) -> str:
        with self._lock:
            serial = self._next_serial()
            trigger = f"{serial}.{int(time.time())}.{secrets.token_hex(16)}"
            self._triggers[trigger] = {"issued": time.monotonic(), "used": False}
            return trigger

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail.

        error="channel_not_found" -> HTTP 200 ok:false; status=429 -> HTTP 429 with Retry-After (default 1)
        and body {"ok": false, "error": "ratelimited"}; status=500 (or any other) -> that status with the
        body "internal error" (or {"ok": false, "error": error} if an error is given).
        """
        if status == 200 and error is None:
            raise ValueError("fail_next needs an error code or a non-200 status")
        with self._lock:
            self._injections.setdefault(method, []).append(_Injection(error, status, retry_after, times))

    def reset(self) -> None:
        """Forget calls, responses, errors, warnings, injections, messages, views, triggers and files.

        Users, channels and DM channel ids stay.
        """
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.block_errors.clear()
            self.warnings.clear()
            self.uploaded_files.clear()
            self._injections.clear()
            self._reset_state()

    def _reset_state(self) -> None:
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._stacks: list[list[str]] = []
        self._home_by_user: dict[str, str] = {}
        self._triggers: dict[str, dict[str, Any]] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}

    # -- inspection -----------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def messages_to(self, channel: str) -> list[dict[str, Any]]:
        """Params of successful chat.postMessage / chat.postEphemeral calls to `channel`.

        A user id and that user's DM channel id (as returned by conversations.open) are the same target.
        """
        with self._lock:
            target = self._canonical(channel)
            return [
                c.params
                for c in self.calls
                if c.method in ("chat.postMessage", "chat.postEphemeral")
                and c.response is not None
                and c.response.get("ok")
                and self._canonical(str(c.params.get("channel", ""))) == target
            ]

    def history(self, channel: str) -> list[dict[str, Any]]:
        """Messages currently in a channel (after chat.update / chat.delete), oldest first."""
        with self._lock:
            stored = self._messages.get(self._canonical(channel), {})
            return [copy.deepcopy(m) for m in stored.values()]

    def published_home(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._home_by_user.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def open_views(self) -> list[dict[str, Any]]:
        """Modal views currently open, stack by stack, bottom (root) view first."""
        with self._lock:
            return [copy.deepcopy(self._views[v]) for stack in self._stacks for v in stack]

    def get_view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view else None

    def close_view(self, view_id: str) -> None:
        """Simulate the user closing a modal: removes it and any view pushed above it."""
        with self._lock:
            for stack in self._stacks:
                if view_id in stack:
                    del stack[stack.index(view_id) :]
            self._stacks = [s for s in self._stacks if s]

    # -- helpers --------------------------------------------------------------------------------------

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _next_ts(self) -> str:
        self._ts_micros += 100
        return f"{self._ts_micros // 1_000_000}.{self._ts_micros % 1_000_000:06d}"

    def _dm_for(self, user_id: str) -> str:
        dm = self._dm_by_user.get(user_id)
        if dm is None:
            dm = "D" + user_id[1:]
            while dm in self._user_by_dm:
                dm += "X"
            self._dm_by_user[user_id] = dm
            self._user_by_dm[dm] = user_id
        return dm

    def _canonical(self, channel: str) -> str:
        if _is_user_id(channel) and channel in self._users:
            return self._dm_for(channel)
        if channel.startswith("#"):
            for cid, info in self._channels.items():
                if info["name"] == channel[1:]:
                    return cid
        return channel

    def _resolve_target(self, channel: Any) -> tuple[str | None, str | None]:
        """Where a message to `channel` lands: (channel id, None) or (None, error code)."""
        if not isinstance(channel, str) or not channel:
            return None, "channel_not_found"
        if channel in self._users:
            user = self._users[channel]
            if user["deleted"]:
                return None, "channel_not_found"
            if user["is_bot"]:
                return None, "cannot_dm_bot"
            return self._dm_for(channel), None
        if channel in self._user_by_dm or channel in self._mpims:
            return channel, None
        name = channel[1:] if channel.startswith("#") else channel
        by_name = (c for c in self._channels.values() if c["name"] == name)
        info = self._channels.get(channel) or next(by_name, None)
        if info is None:
            return None, "channel_not_found"
        if not info["is_member"]:
            return None, "channel_not_found" if info["is_private"] else "not_in_channel"
        return str(info["id"]), None

    def _reject_blocks(
        self,
        where: str,
        code: str,
        errors: list[str],
        *,
        view: bool = False,
    ) -> dict[str, Any]:
        self.block_errors.extend(f"{where}: {message}" for message in errors)
        if view:
            return _invalid_arguments(*errors)
        return _err(code, errors=errors, response_metadata={"messages": [f"[ERROR] {m}" for m in errors]})

    def _check_message(self, where: str, params: dict[str, Any]) -> dict[str, Any] | None:
        code, errors, warnings = validate_message(params)
        self.warnings.extend(f"{where}: {w}" for w in warnings)
        if code is None:
            return None
        if code == "no_text":
            self.block_errors.append(f"{where}: {errors[0]}")
            return _err("no_text")
        return self._reject_blocks(where, code, errors)

    def _message_object(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": params.get("text") or "",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if params.get(key):
                message[key] = copy.deepcopy(params[key])
        return message

    # -- HTTP dispatch ---------------------------------------------------------------------------------

    def _dispatch_http(self, raw_path: str, headers: dict[str, str], body: bytes) -> _Reply:
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        lower_headers = {k.lower(): v for k, v in headers.items()}
        if path.startswith("/api/"):
            return self._handle_api(path[len("/api/") :], parsed.query, lower_headers, body)
        if path.startswith("/hooks/commands/"):
            key = urllib.parse.unquote(path.rsplit("/", 1)[-1])
            return self._handle_response_url(key, body)
        if path.startswith("/upload/v1/"):
            return self._handle_upload(path.rsplit("/", 1)[-1], body)
        return _Reply(404, "not found")

    @staticmethod
    def _decode_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
        from_query = urllib.parse.parse_qs(query, keep_blank_values=True)
        params: dict[str, Any] = {k: v[-1] for k, v in from_query.items()}
        if body:
            if content_type.startswith("application/json"):
                decoded = json.loads(body.decode("utf-8"))
                if isinstance(decoded, dict):
                    params.update(decoded)
            elif content_type.startswith("multipart/form-data"):
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
                )
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if not isinstance(name, str):
                        continue
                    payload = part.get_payload(decode=True)
                    if not isinstance(payload, bytes):
                        continue
                    if part.get_filename():
                        params[name] = payload
                    else:
                        params[name] = payload.decode("utf-8")
            else:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
                params.update({k: v[-1] for k, v in form.items()})
        for key in JSON_ENCODED_KEYS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                # left as a string if invalid; the method answers invalid_blocks_format / invalid_arguments
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    def _handle_api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> _Reply:
        try:
            params = self._decode_params(query, headers.get("content-type", ""), body)
        except (ValueError, UnicodeDecodeError):
            params = {}
            malformed = True
        else:
            malformed = False
        token: str | None = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        body_token = params.pop("token", None)
        if token is None and isinstance(body_token, str):
            token = body_token
        call = Call(method=method, params=params, token=token)
        with self._lock:
            self.calls.append(call)
            reply = self._answer(method, params, token, malformed)
            call.status = reply.status
            call.response = reply.body if isinstance(reply.body, dict) else None
        return reply

    def _answer(self, method: str, params: dict[str, Any], token: str | None, malformed: bool) -> _Reply:
        injections = self._injections.get(method)
        if injections:
            injection = injections[0]
            injection.times -= 1
            if injection.times <= 0:
                injections.pop(0)
            if injection.status == 429:
                retry_after = injection.retry_after if injection.retry_after is not None else 1
                return _Reply(429, _err(injection.error or "ratelimited"), {"Retry-After": str(retry_after)})
            if injection.status != 200:
                body: dict[str, Any] | str = _err(injection.error) if injection.error else "internal error"
                return _Reply(injection.status, body)
            return _Reply(200, _err(injection.error or "internal_error"))
        if token is None:
            return _Reply(200, _err("not_authed"))
        if token != self.bot_token:
            return _Reply(200, _err("invalid_auth"))
        if malformed:
            return _Reply(200, _invalid_arguments("request body could not be decoded"))
        if method == "files.upload":  # retired by Slack; files_upload_v2 is the way
            return _Reply(200, _err("method_deprecated"))
        handler = self._methods().get(method)
        if handler is None:
            return _Reply(200, _err("unknown_method"))
        return _Reply(200, handler(params))

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "team.info": self._team_info,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # -- response_url & uploads --------------------------------------------------------------------------

    def _handle_response_url(self, key: str, body: bytes) -> _Reply:
        try:
            payload = json.loads(body.decode("utf-8")) if body else {}
        except (ValueError, UnicodeDecodeError):
            payload = None
        with self._lock:
            if not isinstance(payload, dict):
                self.block_errors.append(f"response_url[{key}]: body is not a JSON object")
                return _Reply(400, _err("invalid_payload"))
            for json_key in JSON_ENCODED_KEYS:
                value = payload.get(json_key)
                if isinstance(value, str) and value[:1] in ("[", "{"):
                    with contextlib.suppress(ValueError):
                        payload[json_key] = json.loads(value)
            if not payload.get("delete_original"):
                rejected = self._check_message(f"response_url[{key}]", payload)
                if rejected is not None:
                    return _Reply(400, rejected)
            self.responses.append({**payload, "_key": key})
        return _Reply(200, _ok())

    def _handle_upload(self, file_id: str, body: bytes) -> _Reply:
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return _Reply(404, "not found")
            pending["content"] = body
        return _Reply(200, f"OK - {len(body)}")

    # -- methods ----------------------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return _ok(
            url=f"https://{self.team_domain}.slack.com/",
            team=self.team_name,
            user=self.bot_name,
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return _ok(team={"id": self.team_id, "name": self.team_name, "domain": self.team_domain})

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve_target(params.get("channel"))
        if channel is None:
            return _err(error or "channel_not_found")
        rejected = self._check_message("chat.postMessage", params)
        if rejected is not None:
            return rejected
        ts = self._next_ts()
        message = self._message_object(params, ts)
        self._messages.setdefault(channel, {})[ts] = message
        return _ok(channel=channel, ts=ts, message=copy.deepcopy(message))

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve_target(params.get("channel"))
        if channel is None:
            return _err(error or "channel_not_found")
        user = self._users.get(str(params.get("user", "")))
        if user is None or user["deleted"]:
            return _err("user_not_found")
        rejected = self._check_message("chat.postEphemeral", params)
        if rejected is not None:
            return rejected
        return _ok(message_ts=self._next_ts())

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve_target(params.get("channel"))
        if channel is None:
            return _err(error or "channel_not_found")
        ts = str(params.get("ts", ""))
        stored = self._messages.get(channel, {}).get(ts)
        if stored is None:
            return _err("message_not_found")
        rejected = self._check_message("chat.update", params)
        if rejected is not None:
            return rejected
        message = self._message_object(params, ts)
        if "thread_ts" in stored:
            message["thread_ts"] = stored["thread_ts"]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        self._messages[channel][ts] = message
        return _ok(channel=channel, ts=ts, text=message["text"], message=copy.deepcopy(message))

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve_target(params.get("channel"))
        if channel is None:
            return _err(error or "channel_not_found")
        ts = str(params.get("ts", ""))
        if self._messages.get(channel, {}).pop(ts, None) is None:
            return _err("message_not_found")
        return _ok(channel=channel, ts=ts)

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve_target(params.get("channel"))
        if channel is None:
            return _err(error or "channel_not_found")
        ts = str(params.get("message_ts", ""))
        if ts not in self._messages.get(channel, {}):
            return _err("message_not_found")
        return _ok(
            channel=channel,
            permalink=f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        )

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        existing = params.get("channel")
        if isinstance(existing, str) and existing:
            if existing in self._user_by_dm or existing in self._mpims:
                return _ok(channel={"id": existing}, no_op=True, already_open=True)
            return _err("channel_not_found")
        users_param = params.get("users")
        if isinstance(users_param, list):
            user_ids = [str(u) for u in users_param]
        else:
            user_ids = [u.strip() for u in str(users_param or "").split(",") if u.strip()]
        if not user_ids:
            return _err("users_list_not_supplied")
        for user_id in user_ids:
            user = self._users.get(user_id)
            if user is None:
                return _err("user_not_found")
            if user["deleted"]:
                return _err("user_disabled")
        if len(user_ids) == 1:
            already = user_ids[0] in self._dm_by_user
            dm = self._dm_for(user_ids[0])
            return _ok(channel={"id": dm}, no_op=already, already_open=already)
        members = sorted(set(user_ids) | {self.bot_user_id})
        for mpim_id, mpim_members in self._mpims.items():
            if mpim_members == members:
                return _ok(channel={"id": mpim_id}, no_op=True, already_open=True)
        mpim_id = f"G{self._next_serial():09d}"
        self._mpims[mpim_id] = members
        return _ok(channel={"id": mpim_id})

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Messages in a channel the bot can see, newest first; metadata only with include_all_metadata."""
        channel = self._canonical(str(params.get("channel", "")))
        if channel not in self._messages and channel not in self._user_by_dm and channel not in self._channels:
            return _err("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = []
        for message in sorted(self._messages.get(channel, {}).values(), key=lambda m: float(m["ts"]), reverse=True):
            if float(message["ts"]) <= oldest:
                continue
            shown = copy.deepcopy(message)
            if not with_metadata:
                shown.pop("metadata", None)
            found.append(shown)
        return _ok(messages=found[:limit], has_more=len(found) > limit, response_metadata={"next_cursor": ""})

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if channel in self._user_by_dm:
            user = self._user_by_dm[channel]
            return _ok(
                channel={
                    "id": channel,
                    "is_im": True,
                    "is_channel": False,
                    "is_group": False,
                    "is_mpim": False,
                    "is_private": True,
                    "is_member": True,
                    "is_archived": False,
                    "user": user,
                    "is_user_deleted": bool(self._users.get(user, {}).get("deleted")),
                    "created": 1_600_000_000,
                    "context_team_id": self.team_id,
                }
            )
        if channel in self._mpims:
            return _ok(
                channel={
                    "id": channel,
                    "is_mpim": True,
                    "is_im": False,
                    "is_channel": False,
                    "is_group": True,
                    "is_private": True,
                    "is_member": True,
                    "is_archived": False,
                    "created": 1_600_000_000,
                }
            )
        info = self._channels.get(channel)
        if info is None or (info["is_private"] and not info["is_member"]):
            return _err("channel_not_found")
        return _ok(channel=copy.deepcopy(info))

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        info = self._channels.get(channel)
        if info is None or (info["is_private"] and not info["is_member"]):
            return _err("channel_not_found")
        if info["is_private"]:
            return _err("method_not_supported_for_channel_type")
        if info["is_member"]:
            return _ok(
                channel=copy.deepcopy(info),
                warning="already_in_channel",
                response_metadata={"warnings": ["already_in_channel"]},
            )
        info["is_member"] = True
        return _ok(channel=copy.deepcopy(info))

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(params.get("user", "")))
        if user is None:
            return _err("user_not_found")
        return _ok(user=copy.deepcopy(user))

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = [copy.deepcopy(u) for u in self._users.values()]
        return _ok(members=members, cache_ts=int(time.time()), response_metadata={"next_cursor": ""})

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = str(params.get("email", "")).strip().lower()
        for user in self._users.values():
            email = user["profile"].get("email")
            if wanted and isinstance(email, str) and email.lower() == wanted:
                return _ok(user=copy.deepcopy(user))
        return _err("users_not_found")

    # -- views --------------------------------------------------------------------------------------------

    def _exchange_trigger(self, params: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
        trigger = params.get("trigger_id") or params.get("interactivity_pointer")
        if not isinstance(trigger, str) or not trigger:
            return None, _invalid_arguments("missing required field: trigger_id")
        issued = self._triggers.get(trigger)
        if issued is None:
            return None, _err("invalid_trigger_id")
        if issued["used"]:
            return None, _err("exchanged_trigger_id")
        if time.monotonic() - issued["issued"] > self.trigger_ttl:
            return None, _err("expired_trigger_id")
        return trigger, None

    def _check_view(self, where: str, params: dict[str, Any]) -> dict[str, Any] | None:
        errors = validate_view(params.get("view"))
        if errors:
            return self._reject_blocks(where, "invalid_arguments", errors, view=True)
        return None

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _build_view(self, view: dict[str, Any], view_id: str, **extra: Any) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": copy.deepcopy(view.get("title")),
            "submit": copy.deepcopy(view.get("submit")),
            "close": copy.deepcopy(view.get("close")),
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        stored.update(extra)
        return stored

    def _external_id_taken(self, external_id: Any, except_view: str | None = None) -> bool:
        if not external_id:
            return False
        return any(v["external_id"] == external_id and v["id"] != except_view for v in self._views.values())

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        trigger, problem = self._exchange_trigger(params)
        if problem is not None or trigger is None:
            return problem or _err("invalid_trigger_id")
        rejected = self._check_view("views.open", params)
        if rejected is not None:
            return rejected
        view = params["view"]
        if view["type"] != "modal":
            return self._reject_blocks("views.open", "", ["/view/type: views.open needs a modal"], view=True)
        if self._external_id_taken(view.get("external_id")):
            return _err("duplicate_external_id")
        self._triggers[trigger]["used"] = True
        view_id = f"V{self._next_serial():09d}"
        stored = self._build_view(view, view_id)
        self._views[view_id] = stored
        self._stacks.append([view_id])
        return _ok(view=copy.deepcopy(stored))

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        trigger, problem = self._exchange_trigger(params)
        if problem is not None or trigger is None:
            return problem or _err("invalid_trigger_id")
        rejected = self._check_view("views.push", params)
        if rejected is not None:
            return rejected
        view = params["view"]
        if view["type"] != "modal":
            return self._reject_blocks("views.push", "", ["/view/type: views.push needs a modal"], view=True)
        if self._stacks and len(self._stacks[-1]) >= VIEW_STACK_MAX:
            return _err("push_limit_reached")
        if self._external_id_taken(view.get("external_id")):
            return _err("duplicate_external_id")
        self._triggers[trigger]["used"] = True
        view_id = f"V{self._next_serial():09d}"
        if self._stacks:  # push onto the most recently opened stack
            stack = self._stacks[-1]
            stored = self._build_view(view, view_id, root_view_id=stack[0], previous_view_id=stack[-1])
            stack.append(view_id)
        else:  # no modal open here: start a new stack (lenient)
            stored = self._build_view(view, view_id)
            self._stacks.append([view_id])
        self._views[view_id] = stored
        return _ok(view=copy.deepcopy(stored))

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views.get(str(view_id))
        elif external_id:
            current = next((v for v in self._views.values() if v["external_id"] == external_id), None)
        else:
            return _invalid_arguments("missing required field: view_id or external_id")
        if current is None:
            return _err("not_found")
        expected_hash = params.get("hash")
        if expected_hash and expected_hash != current["hash"]:
            return _err("hash_conflict")
        rejected = self._check_view("views.update", params)
        if rejected is not None:
            return rejected
        view = params["view"]
        if view["type"] != current["type"]:
            return self._reject_blocks(
                "views.update", "", [f"/view/type: cannot change a {current['type']} view's type"], view=True
            )
        if self._external_id_taken(view.get("external_id"), except_view=current["id"]):
            return _err("duplicate_external_id")
        stored = self._build_view(
            view,
            current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        if not view.get("external_id"):
            stored["external_id"] = current["external_id"]
        self._views[current["id"]] = stored
        return _ok(view=copy.deepcopy(stored))

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user_id", ""))
        user = self._users.get(user_id)
        if user is None or user["deleted"]:
            return _err("user_not_found")
        current_id = self._home_by_user.get(user_id)
        expected_hash = params.get("hash")
        if expected_hash and (current_id is None or self._views[current_id]["hash"] != expected_hash):
            return _err("hash_conflict")
        rejected = self._check_view("views.publish", params)
        if rejected is not None:
            return rejected
        view = params["view"]
        if view["type"] != "home":
            return self._reject_blocks(
                "views.publish", "", ["/view/type: views.publish needs a 'home' view"], view=True
            )
        view_id = current_id or f"V{self._next_serial():09d}"
        stored = self._build_view(view, view_id)
        self._views[view_id] = stored
        self._home_by_user[user_id] = view_id
        return _ok(view=copy.deepcopy(stored))

    # -- files --------------------------------------------------------------------------------------------

    def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except (TypeError, ValueError):
            length = -1
        if not isinstance(filename, str) or not filename:
            return _invalid_arguments("missing required field: filename")
        if length < 0:
            return _invalid_arguments("missing required field: length")
        file_id = f"F{self._next_serial():09d}"
        self._pending_files[file_id] = {
            "id": file_id,
            "filename": filename,
            "length": length,
            "alt_txt": params.get("alt_txt"),
            "snippet_type": params.get("snippet_type"),
            "content": None,
        }
        return _ok(upload_url=f"{self.base_url}/upload/v1/{file_id}", file_id=file_id)

    def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                return _invalid_arguments("files: is not valid JSON")
        if not isinstance(files, list) or not files:
            return _invalid_arguments("missing required field: files")
        targets: list[str] = []
        channel_id = params.get("channel_id")
        channels = params.get("channels")
        requested = [channel_id] if channel_id else []
        if isinstance(channels, str) and channels:
            requested.extend(c.strip() for c in channels.split(",") if c.strip())
        for requested_channel in requested:
            resolved, error = self._resolve_target(requested_channel)
            if resolved is None:
                return _err(error or "channel_not_found")
            targets.append(resolved)
        pending: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for item in files:
            if not isinstance(item, dict) or item.get("id") not in self._pending_files:
                return _err("file_not_found")
            upload = self._pending_files[item["id"]]
            if upload["content"] is None:
                return _err("file_not_found")
            pending.append((item, upload))
        completed = []
        for item, upload in pending:
            file_id = upload["id"]
            del self._pending_files[file_id]
            content: bytes = upload["content"]
            title = item.get("title") or upload["filename"]
            record = {
                "id": upload["id"],
                "filename": upload["filename"],
                "title": title,
                "content": content,
                "size": len(content),
                "channel_id": targets[0] if targets else None,
                "channels": list(targets),
                "initial_comment": params.get("initial_comment"),
                "thread_ts": params.get("thread_ts"),
                "alt_txt": upload["alt_txt"],
            }
            self.uploaded_files.append(record)
            completed.append(
                {
                    "id": upload["id"],
                    "created": int(time.time()),
                    "timestamp": int(time.time()),
                    "name": upload["filename"],
                    "title": title,
                    "mimetype": "",
                    "filetype": upload["filename"].rsplit(".", 1)[-1] if "." in upload["filename"] else "",
                    "user": self.bot_user_id,
                    "size": len(content),
                    "is_public": any(t.startswith("C") for t in targets),
                    "url_private": f"{self.base_url}/files/{upload['id']}/{upload['filename']}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{file_id}",
                    "channels": [t for t in targets if t.startswith("C")],
                    "groups": [t for t in targets if t.startswith("G")],
                    "ims": [t for t in targets if t.startswith("D")],
                }
            )
        return _ok(files=completed)

"""The emulator's state: users, channels, DMs, messages, views, recorded calls; set up and read by tests."""

from __future__ import annotations

import copy
import datetime as dt
import math
import secrets
import threading
import time
import urllib.parse
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.support.emulator.blockkit import (
    validate_message,
)

if TYPE_CHECKING:
    from tests.support.emulator.server import _Server

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
    at: float = 0.0  # time.monotonic() when the request reached the emulator (before any injected delay)


@dataclass
class _Injection:
    error: str | None
    status: int
    retry_after: int | None
    times: int


@dataclass
class _Delay:
    method: str
    channel: str | None
    seconds: float
    times: int


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


class EmulatorState:
    """What the emulator knows (users, channels, messages, views, calls) and what tests ask of it."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        team_name: str = "Test School",
        bot_user_id: str = "UBOT",
    ) -> None:
        self.bot_token = bot_token
        # Socket Mode: apps.connections.open takes this app-level token and hands out `socket_url` (by default a
        # port nothing listens on: the bot then can't connect, as behind a firewall that blocks wss://).
        self.app_token = "xapp-1-A0TEST-emulator"
        self.socket_url = "wss://127.0.0.1:9/link"
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "".join(c if c.isalnum() else "-" for c in team_name.lower()).strip("-") or "test"
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.app_id = "A0001"
        self.bot_name = "mentor-bot"
        self.trigger_ttl: float = 3.0
        # OAuth and several workspaces (oauth.py): each bot token's workspace; the default token is this one's.
        from tests.support.emulator.oauth import Workspace

        self._workspaces: dict[str, Workspace] = {bot_token: Workspace(team_id, team_name, bot_user_id, bot_token)}
        self._codes: dict[str, Any] = {}
        self._revoked: dict[str, str] = {}
        self._refresh_tokens: dict[str, str] = {}  # token rotation: refresh token -> the access token it came with
        self._expires_at: dict[str, float] = {}  # token rotation: access token -> when it expires (time.time())
        self._calling: Workspace = self._workspaces[bot_token]  # the workspace of the call being answered
        self.granted_scopes: list[str] = ["commands", "chat:write", "im:write", "users:read"]

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
        self._delays: list[_Delay] = []
        self._watchers: list[Callable[[Call], None]] = []
        # Slack's per-channel posting limit (messages a second), or None for no limit; see `limit_channels`.
        self.channel_rate: float | None = None
        self._channel_posted: dict[tuple[str, str], float] = {}
        self._crowded: set[tuple[str, str]] = set()  # channels whose next post finds another just posted
        self._ts_micros = 1_700_000_000_000_000
        self._serial = 0
        self._reset_state()
        self.add_user(bot_user_id, self.bot_name, real_name="Mentor Bot", is_bot=True)

    # -- lifecycle ------------------------------------------------------------------------------------

    # -- identity -----------------------------------------------------------------------------------

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
        enterprise_user: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a user. `team_id`: their own workspace (default: the emulator's). `enterprise_user`:
        as Slack gives it for an Enterprise Grid member, e.g. {"enterprise_id": "E1", "is_admin": True,
        "teams": ["T0001", "T0009"]} (is_admin/is_owner there are org-wide)."""
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
        if enterprise_user is not None:
            user["enterprise_user"] = {"id": user_id, "is_admin": False, "is_owner": False, **enterprise_user}
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

    def delay_next(self, method: str, seconds: float, *, channel: str | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` (to `channel`, when given) wait `seconds` before Slack answers.

        Longer than the client's timeout, the bot sees a timeout (Slack may still have acted, as it can).
        """
        with self._lock:
            self._delays.append(_Delay(method, channel, seconds, times))

    def _delay_for(self, method: str, params: dict[str, Any]) -> float:
        with self._lock:
            for delay in self._delays:
                if delay.method == method and delay.channel in (None, params.get("channel")):
                    delay.times -= 1
                    if delay.times <= 0:
                        self._delays.remove(delay)
                    return delay.seconds
        return 0.0

    def watch(self, callback: Callable[[Call], None]) -> None:
        """Call `callback(call)` for each Web API call and response_url post as it is answered (benchmarks time
        views.open / views.publish by `Call.at`). response_url posts come as method "response_url", the
        URL's key in params["_key"]. Called outside the emulator's lock, from its request threads."""
        with self._lock:
            self._watchers.append(callback)

    def _notify(self, call: Call) -> None:
        for callback in list(self._watchers):
            callback(call)

    def team_of(self, token: str | None) -> str | None:
        """The workspace a bot token belongs to, or None for a token the emulator doesn't know."""
        workspace = self._workspaces.get(token or "")
        return workspace.team_id if workspace is not None else None

    def limit_channels(self, per_second: float | None = 1.0) -> None:
        """Enforce Slack's per-channel limit on chat.postMessage: about one message a second to each channel of
        each workspace. A post sooner than 1/per_second after the last one accepted there is answered HTTP 429
        with Retry-After (whole seconds, at least 1). None lifts the limit."""
        with self._lock:
            self.channel_rate = per_second
            self._channel_posted.clear()
            self._crowded.clear()

    def crowd_channel(self, token: str, channel: str) -> None:
        """Something else posts in this workspace's channel just before the app's next post there, whenever that
        comes: that post is answered 429 with a whole gap's Retry-After, and the limit then runs from it. (Priming
        the limiter with a post now would let a slow build outlast the gap and see no 429.)"""
        with self._lock:
            self._crowded.add((self.team_of(token) or "", self._canonical(channel)))

    def _rate_limited(self, method: str, params: dict[str, Any], token: str | None) -> int | None:
        """Seconds to wait when this post is over its channel's limit (None: go ahead, and it counts)."""
        if self.channel_rate is None or method != "chat.postMessage":
            return None
        key = (self.team_of(token) or "", self._canonical(str(params.get("channel", ""))))
        now = time.monotonic()
        gap = 1.0 / self.channel_rate
        if key in self._crowded:  # the other post lands just before this one
            self._crowded.discard(key)
            self._channel_posted[key] = now
        last = self._channel_posted.get(key)
        if last is not None and now - last < gap:
            return max(1, math.ceil(gap - (now - last)))
        self._channel_posted[key] = now
        return None

    def reset(self) -> None:
        """Forget calls, responses, errors, warnings, injections, delays, messages, views, triggers and files.

        Users, channels and DM channel ids stay.
        """
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.block_errors.clear()
            self.warnings.clear()
            self.uploaded_files.clear()
            self._injections.clear()
            self._delays.clear()
            self._reset_state()

    def _reset_state(self) -> None:
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._closed: set[str] = set()  # modals the person closed
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
        """Simulate the user closing a modal: removes it and any view pushed above it. A closed view is gone:
        views.update answers `not_found` for it, as Slack does (get_view still shows its last state)."""
        with self._lock:
            for stack in self._stacks:
                if view_id in stack:
                    self._closed.update(stack[stack.index(view_id) :])
                    del stack[stack.index(view_id) :]
            self._stacks = [s for s in self._stacks if s]

    def modal_on_screen(self) -> dict[str, Any] | None:
        """The modal the person sees now: the top of the newest stack, with every update; None when none is open."""
        with self._lock:
            return copy.deepcopy(self._views[self._stacks[-1][-1]]) if self._stacks else None

    def slow_users_info(self, seconds: float, *, times: int = 1) -> None:
        """Make the next `times` users.info calls wait `seconds` before answering (a slow directory)."""
        self.delay_next("users.info", seconds, times=times)

    # -- helpers --------------------------------------------------------------------------------------

    def _oauth_v2_access(self, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        raise NotImplementedError  # tests/support/emulator/oauth.py

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

    def _foreign(self, user: dict[str, Any]) -> bool:
        """A person of another workspace the emulator knows (not shared with the calling one): not found."""
        teams = {w.team_id for w in self._workspaces.values()}
        home = user["team_id"]
        if home in self._calling.org_teams:  # an org-wide install's token reaches every workspace of the org
            return False
        shared = (user.get("enterprise_user") or {}).get("teams") or []
        return home in teams and home != self._calling.team_id and self._calling.team_id not in shared

    def _resolve_target(self, channel: Any) -> tuple[str | None, str | None]:
        """Where a message to `channel` lands: (channel id, None) or (None, error code)."""
        if not isinstance(channel, str) or not channel:
            return None, "channel_not_found"
        if channel in self._users:
            user = self._users[channel]
            if user["deleted"] or self._foreign(user):
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

"""Web API methods: conversations.*: DMs, channel info, joining and history."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.emulator.state import EmulatorState, _err, _ok


class ConversationMethods(EmulatorState):
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

"""Web API methods: auth.test, team.info and chat.*: posting, updating and deleting messages."""

from __future__ import annotations

import copy
from typing import Any

from tests.support.emulator.state import EmulatorState, _err, _ok


class ChatMethods(EmulatorState):
    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        workspace = self._calling  # the token's own workspace
        domain = "".join(c if c.isalnum() else "-" for c in workspace.team_name.lower()).strip("-") or "test"
        return _ok(
            url=f"https://{domain}.slack.com/",
            team=workspace.team_name,
            user=self.bot_name,
            team_id=workspace.team_id,
            user_id=workspace.bot_user_id,
            bot_id="B" + workspace.bot_user_id[1:],
            is_enterprise_install=False,
        )

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        workspace = self._calling
        domain = "".join(c if c.isalnum() else "-" for c in workspace.team_name.lower()).strip("-") or "test"
        return _ok(team={"id": workspace.team_id, "name": workspace.team_name, "domain": domain})

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

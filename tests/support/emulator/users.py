"""Web API methods: users.*: the people the tests added."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.support.emulator.state import EmulatorState, _err, _ok


class UserMethods(EmulatorState):
    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(params.get("user", "")))
        if user is None or self._foreign(user):
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

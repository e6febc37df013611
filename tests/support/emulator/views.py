"""Web API methods: views.*: modals (open, push, update) and App Home tabs (publish)."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from tests.support.emulator.blockkit import (
    VIEW_STACK_MAX,
    validate_view,
)
from tests.support.emulator.state import EmulatorState, _err, _invalid_arguments, _ok


class ViewMethods(EmulatorState):
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
        if current is None or current["id"] in self._closed:
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
        if user is None or user["deleted"] or self._foreign(user):
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

"""OAuth and several workspaces: `oauth.v2.access` exchanges a code Slack issued when an admin pressed Allow for a
bot token of that workspace; each token answers `auth.test` (and `team.info`) for its own workspace, and people
of another known workspace are not found with it. A token can be revoked (uninstalled, or the workspace closed).

* `authorize(team_id, ...)` is the admin pressing Allow in Slack: it returns the `code` Slack puts in the
  redirect. A code works once, for ten minutes; a wrong or used one -> ``invalid_code``; a wrong client id or
  secret -> ``invalid_client_id`` / ``bad_client_secret``.
* `add_workspace(team_id, ...)` knows a workspace's bot token at once (as if installed), returning the token.
* `revoke(token, error)`: every later call with it answers `error` (``token_revoked``, ``account_inactive``…).
* `token_for(team_id)`: the latest token issued for a workspace; `calls_by(token)`: the calls made with it.
* `add_org(enterprise_id, teams)`: an Enterprise Grid org installed org-wide, returning its one bot token, which
  `auth.teams.list` answers with the org's workspaces (paged by `limit` and `cursor`); `add_org_team` adds one.

Token rotation (`token_rotation = True`, as an app that opted in): an install's bot token expires after
`token_lifetime` seconds (wall clock; later calls with it answer ``token_expired``) and comes with a refresh token.
`oauth.v2.access` with ``grant_type=refresh_token`` exchanges a refresh token once for a new bot token and a new
refresh token (a used or unknown one -> ``invalid_refresh_token``); the old access token works until it expires.
`expire(token)` ends a token's life now; `refresh_token_for(team_id)` is the workspace's current refresh token.
"""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from tests.support.emulator.state import Call, EmulatorState, _err, _ok

CODE_TTL = 600.0
TOKEN_LIFETIME = 43_200  # Slack's rotating tokens last twelve hours


@dataclass
class Workspace:
    team_id: str  # an org-wide install's: the org's enterprise id
    team_name: str
    bot_user_id: str
    token: str
    org_teams: list[str] = field(default_factory=list)  # an org-wide install: the workspaces that approved the app


@dataclass
class _Code:
    team_id: str
    team_name: str
    user_id: str
    issued: float
    used: bool = False


class OAuthMethods(EmulatorState):
    client_id = "1111111111.2222222222"
    client_secret = "emulator-client-secret"
    token_rotation = False
    token_lifetime = TOKEN_LIFETIME

    # -- set up by tests ------------------------------------------------------------------------------

    def add_workspace(self, team_id: str, team_name: str | None = None, *, bot_user_id: str | None = None) -> str:
        with self._lock:
            token = f"xoxb-{team_id}-{secrets.token_hex(8)}"
            name = team_name or f"School {team_id}"
            self._workspaces[token] = Workspace(team_id, name, bot_user_id or f"UBOT{team_id[1:]}", token)
            return token

    def add_org(self, enterprise_id: str, teams: list[str], org_name: str | None = None) -> str:
        with self._lock:
            token = f"xoxb-{enterprise_id}-{secrets.token_hex(8)}"
            name = org_name or f"Trust {enterprise_id}"
            self._workspaces[token] = Workspace(enterprise_id, name, f"UBOT{enterprise_id[1:]}", token, list(teams))
            if self.token_rotation:
                self._rotating(token)
            return token

    def token_expires_at(self, token: str) -> float | None:
        """When a rotating token expires (time.time()), or None for one that never does."""
        with self._lock:
            return self._expires_at.get(token)

    def add_org_team(self, enterprise_id: str, team_id: str) -> None:
        with self._lock:
            for workspace in self._workspaces.values():
                if workspace.team_id == enterprise_id:
                    workspace.org_teams.append(team_id)

    def authorize(self, team_id: str, team_name: str | None = None, *, user_id: str = "UINSTALLER") -> str:
        with self._lock:
            code = f"code-{team_id}-{secrets.token_hex(8)}"
            self._codes[code] = _Code(team_id, team_name or f"School {team_id}", user_id, time.monotonic())
            return code

    def revoke(self, token: str, error: str = "token_revoked") -> None:
        with self._lock:
            self._revoked[token] = error

    def expire(self, token: str) -> None:
        with self._lock:
            self._expires_at[token] = time.time()

    def refresh_token_for(self, team_id: str) -> str:
        with self._lock:
            refreshes = [r for r, token in self._refresh_tokens.items() if self._workspaces[token].team_id == team_id]
            if not refreshes:
                raise KeyError(f"no refresh token is outstanding for {team_id}")
            return refreshes[-1]

    def token_for(self, team_id: str) -> str:
        with self._lock:
            tokens = [w.token for w in self._workspaces.values() if w.team_id == team_id]
            if not tokens:
                raise KeyError(f"no token was issued for {team_id}")
            return tokens[-1]

    def calls_by(self, token: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.token == token]

    # -- the Web API ----------------------------------------------------------------------------------

    def _oauth_v2_access(self, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode("utf-8")
            except ValueError:
                return _err("invalid_client_id")
            client_id, _, client_secret = decoded.partition(":")
            client_id = urllib.parse.unquote(client_id)
            client_secret = urllib.parse.unquote(client_secret)
        if client_id != self.client_id:
            return _err("invalid_client_id")
        if client_secret != self.client_secret:
            return _err("bad_client_secret")
        if params.get("grant_type") == "refresh_token":
            return self._refreshed(str(params.get("refresh_token", "")))
        code = self._codes.get(str(params.get("code", "")))
        if code is None or code.used or time.monotonic() - code.issued > CODE_TTL:
            return _err("invalid_code")
        code.used = True
        token = self.add_workspace(code.team_id, code.team_name)
        return _ok(**self._granted(token), authed_user={"id": code.user_id})

    def _auth_teams_list(self, params: dict[str, Any]) -> dict[str, Any]:
        calling = self._calling
        teams = calling.org_teams or [calling.team_id]
        start = int(params.get("cursor") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 1000))
        page = teams[start : start + limit]
        following = str(start + limit) if start + limit < len(teams) else ""
        return _ok(
            teams=[{"id": team, "name": f"School {team}"} for team in page],
            response_metadata={"next_cursor": following},
        )

    def _refreshed(self, refresh_token: str) -> dict[str, Any]:
        old = self._refresh_tokens.pop(refresh_token, None)
        if old is None:
            return _err("invalid_refresh_token")
        workspace = self._workspaces[old]
        token = self.add_workspace(workspace.team_id, workspace.team_name, bot_user_id=workspace.bot_user_id)
        self._workspaces[token].org_teams = workspace.org_teams  # an org-wide install's token stays the org's
        return _ok(**self._granted(token))

    def _granted(self, token: str) -> dict[str, Any]:
        """What Slack answers with a new bot token: with an expiry and a refresh token when rotation is on."""
        workspace = self._workspaces[token]
        granted: dict[str, Any] = {
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(self.granted_scopes),
            "bot_user_id": workspace.bot_user_id,
            "app_id": self.app_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if self.token_rotation:
            granted.update(refresh_token=self._rotating(token), expires_in=self.token_lifetime)
        return granted

    def _rotating(self, token: str) -> str:
        """Make `token` expire after `token_lifetime`; its refresh token."""
        refresh_token = f"xoxe-1-{self._workspaces[token].team_id}-{secrets.token_hex(8)}"
        self._refresh_tokens[refresh_token] = token
        self._expires_at[token] = time.time() + self.token_lifetime
        return refresh_token

"""Each workspace's own bot token, without OAuth: `TeamTokenClients` maps team ids to tokens (the emulator maps
them back with `add_team_token`), as an installation store will. For the fan-out test and bench/fanout.py."""

from __future__ import annotations

import threading

from slack_sdk import WebClient

from bot.app.slack_client import NoClient, SlackClients


class TeamTokenClients(SlackClients):
    """`for_team` gives each workspace a client with its own token, configured like the bot's own client."""

    def __init__(self, client: WebClient, tokens: dict[str, str]) -> None:
        super().__init__(client)
        self.tokens = dict(tokens)
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def token_team(self) -> str:
        raise NoClient("Each workspace has its own token here")

    def for_team(self, team_id: str) -> WebClient:
        token = self.tokens.get(team_id)
        if token is None:
            raise NoClient(f"No token for workspace {team_id}")
        with self._lock:
            client = self._clients.get(team_id)
            if client is None:
                base = self.client
                client = WebClient(
                    token=token, base_url=base.base_url, timeout=base.timeout, retry_handlers=base.retry_handlers
                )
                self._clients[team_id] = client
            return client

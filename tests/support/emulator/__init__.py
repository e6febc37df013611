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

* no token -> ``not_authed``; a token the emulator never issued -> ``invalid_auth``; a revoked one -> its error.
  Several workspaces, OAuth (``oauth.v2.access``), token rotation, Enterprise Grid org-wide installs
  (``auth.teams.list``) and revocation: see `oauth`. The response_url and
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
* views.update / views.publish with a stale ``hash`` -> ``hash_conflict``; unknown view, or a modal the user
  closed (``close_view``) -> ``not_found``.
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
``history(channel)``, ``get_view(view_id)``, ``close_view(view_id)``, ``modal_on_screen()``,
``slow_users_info(seconds)``, ``trigger_ttl`` and the methods
``users.list``, ``team.info`` and ``chat.getPermalink``.

The package: `state` (users, channels, recorded calls), `server` (HTTP), one module per group of Web API
methods (`chat`, `conversations`, `users`, `views`, `files`) and `blockkit`, the Block Kit checks, callable
without HTTP (`validate_view`, `message_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.emulator.blockkit import message_errors, validate_blocks, validate_message, validate_view
from tests.support.emulator.chat import ChatMethods
from tests.support.emulator.conversations import ConversationMethods
from tests.support.emulator.files import FileMethods
from tests.support.emulator.oauth import OAuthMethods
from tests.support.emulator.server import HttpFront
from tests.support.emulator.state import Call
from tests.support.emulator.users import UserMethods
from tests.support.emulator.views import ViewMethods

__all__ = ["Call", "SlackEmulator", "message_errors", "validate_blocks", "validate_message", "validate_view"]


class SlackEmulator(HttpFront, OAuthMethods, ChatMethods, ConversationMethods, UserMethods, ViewMethods, FileMethods):
    """A Slack Web API stand-in served over real HTTP. See the package docstring."""

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "auth.teams.list": self._auth_teams_list,
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

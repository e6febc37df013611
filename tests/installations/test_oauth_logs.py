"""OAuth mode at LOG_LEVEL=DEBUG: an install and a request leave no client secret, code, state or installed token
in any log record or anything printed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.app.logging_setup import configure_logging
from bot.app.slack_client import secrets
from tests.cross.school import command
from tests.installations.test_oauth_install import T1
from tests.support.emulator import SlackEmulator
from tests.support.installs import OAuthStack, authorize_query

NOISY = ("slack_bolt", "slack_sdk", "urllib3", "alembic", "uvicorn", "uvicorn.error")


@pytest.fixture
def bot_logging(caplog: pytest.LogCaptureFixture, oauth: OAuthStack) -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in NOISY})
    configure_logging("DEBUG", secrets(oauth.deps.settings))
    root.addHandler(caplog.handler)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("bot_logging")
def test_an_install_and_a_request_at_debug_log_no_secret_code_state_or_token(
    oauth: OAuthStack, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_user("UHEAD001", "head", is_admin=True)
    browser = oauth.browser()
    state = authorize_query(browser.get("/slack/install"))["state"]
    code = emulator.authorize(T1, "Kestrel Primary", user_id="UHEAD001")
    assert browser.get("/slack/oauth_redirect", code=code, state=state).status == 200
    assert "mentor-bot help" in command(oauth.slack, "/mentor", "help", user="UHEAD001")

    printed = capsys.readouterr()
    logged = "\n".join(record.getMessage() for record in caplog.records) + printed.out + printed.err
    assert "mentor-bot was installed in workspace T0001" in logged
    for secret in (emulator.client_secret, code, state, emulator.token_for(T1)):
        assert secret not in logged

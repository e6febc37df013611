"""OAuth mode at LOG_LEVEL=DEBUG: an install and a request leave no client secret, code, state or installed token
in any log record or anything printed."""

from __future__ import annotations

import pytest

from tests.cross.school import command
from tests.installations.test_oauth_install import T1
from tests.support.emulator import SlackEmulator
from tests.support.installs import OAuthStack, authorize_query


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

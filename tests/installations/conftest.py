"""The bot in OAuth mode over real HTTP, with the emulator as Slack, for the installation tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app.bootstrap import bootstrap
from bot.app.logging_setup import configure_logging
from bot.app.oauth import install_routes
from bot.app.slack_app import create_app
from bot.app.slack_client import secrets
from bot.app.web import BackgroundServer
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.installs import OAuthStack, oauth_settings
from tests.support.people import SIGNING_SECRET


@pytest.fixture
def oauth(backend: BackendDatabase, emulator: SlackEmulator, clock: FakeClock) -> Iterator[OAuthStack]:
    deps = bootstrap(oauth_settings(emulator, backend.url), clock=clock, db=backend.db)
    listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bolt-listener")
    app = create_app(deps, listener_executor=listeners)
    routes = install_routes(app, deps.settings)
    server = BackgroundServer(app, signing_secret=SIGNING_SECRET, routes=routes).start()
    yield OAuthStack(deps, emulator, SlackDriver(server.url, SIGNING_SECRET, emulator), server.url)
    server.stop()
    listeners.shutdown(wait=True)


NOISY = ("slack_bolt", "slack_sdk", "urllib3", "alembic", "uvicorn", "uvicorn.error")


@pytest.fixture
def bot_logging(caplog: pytest.LogCaptureFixture, oauth: OAuthStack) -> Iterator[None]:
    """The bot's own logging at LOG_LEVEL=DEBUG (its redaction and quieted libraries), captured by caplog."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in NOISY})
    configure_logging("DEBUG", secrets(oauth.deps.settings))
    root.addHandler(caplog.handler)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)

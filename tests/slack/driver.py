"""Moved to tests.support.driver; this name stays for branches written against the old path."""

from tests.support.driver import HttpResult, SlackDriver, state_for, wait_until

__all__ = ["HttpResult", "SlackDriver", "state_for", "wait_until"]

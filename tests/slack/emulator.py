"""Moved to tests.support.emulator (a package); this name stays for branches written against the old path."""

from tests.support.emulator import Call, SlackEmulator

__all__ = ["Call", "SlackEmulator"]

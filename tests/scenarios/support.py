"""Moved to tests.support.slack; this name stays for branches written against the old path."""

from tests.support.slack import block_text, mention, reply_to

__all__ = ["block_text", "mention", "reply_to"]

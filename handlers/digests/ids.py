"""Every Slack id of the digests, named once."""

from __future__ import annotations

NUDGE_ACTION = "digest_nudge_mentor"

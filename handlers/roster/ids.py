"""Every Slack id of the roster, named once."""

from __future__ import annotations

MENTOR = "/mentor"

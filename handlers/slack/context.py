"""What the app's middleware (bot/app/middleware.py) puts into every listener's Bolt context, by name.

A listener names what it needs among its parameters and Bolt passes it in:

* `now` — the request's time, from the app's clock (read once, when the request arrives);
* `directory` — the people directory (users.info) on the request's own Web API client;
* `deps` — every service, the settings and the database;
* `caller` — a `Callable[[], Caller]`: call it (`caller()`) for the roster's view of who pressed or typed.
  It is looked up on first use, so a command is acknowledged before anything is fetched, and one that is
  answered at once (a usage reply) fetches nothing;
* `refresh_homes` — republish the Home tabs of the people a change shows on (each once, never raising);
* `after_ack` — the turns work after an ack takes (handlers/slack/pacing.py): `answers` and
  `modal_submission` take one for their listener; an event listener says `with after_ack.slot():`.
* `placeholder_timing` — when the request arrived and how long its listener has to open a modal before a
  placeholder goes out; a listener wrapped by `answers` that names `modal` gets the request's `ModalFirst`
  (handlers/slack/modal_first.py) and opens its form with `modal.open(view)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

RefreshHomes = Callable[[Iterable[str | None]], None]

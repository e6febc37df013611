"""Thin Slack adapters, one folder per feature (ids, listeners, blocks), and the shared Slack kit in slack/.

Each feature's `listeners.register(app)` wires its module-level listeners; the composition root
(bot/app/slack_app.py) calls every one of them and installs the middleware that gives listeners their
`caller`, `now`, `directory`, `deps` and `refresh_homes` (see handlers/slack/context.py).
"""

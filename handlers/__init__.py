"""Thin Slack adapters. `register` wires every listener onto the Bolt app."""

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.commands import mentor
    from handlers.events import home

    mentor.register(app, deps)
    home.register(app, deps)

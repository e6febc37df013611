"""Thin Slack adapters. `register` wires every listener onto the Bolt app."""

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.actions import observation as observation_actions
    from handlers.commands import mentor, observe
    from handlers.events import home
    from handlers.views import observation as observation_views

    mentor.register(app, deps)
    home.register(app, deps)
    observe.register(app, deps)
    observation_views.register(app, deps)
    observation_actions.register(app, deps)

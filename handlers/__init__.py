"""Thin Slack adapters. `register` wires every listener onto the Bolt app."""

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.actions import digests as digest_actions
    from handlers.actions import home as home_actions
    from handlers.actions import meetings as meeting_actions
    from handlers.actions import observation as observation_actions
    from handlers.actions import targets as target_actions
    from handlers.commands import meeting, mentor, observe, target
    from handlers.events import home
    from handlers.views import meeting as meeting_views
    from handlers.views import observation as observation_views

    mentor.register(app, deps)
    home.register(app, deps)
    home_actions.register(app, deps)
    observe.register(app, deps)
    observation_views.register(app, deps)
    observation_actions.register(app, deps)
    meeting.register(app, deps)
    meeting_views.register(app, deps)
    meeting_actions.register(app, deps)
    target.register(app, deps)
    target_actions.register(app, deps)
    digest_actions.register(app, deps)

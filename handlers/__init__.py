"""Thin Slack adapters. `register` wires every listener onto the Bolt app."""

from slack_bolt import App

from bot.app.bootstrap import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.concerns import listeners as concerns
    from handlers.digests import actions as digest_actions
    from handlers.home import actions as home_actions
    from handlers.home import events as home
    from handlers.meetings import actions as meeting_actions
    from handlers.meetings import command as meeting
    from handlers.meetings import views as meeting_views
    from handlers.observations import actions as observation_actions
    from handlers.observations import command as observe
    from handlers.observations import views as observation_views
    from handlers.roster import command as mentor
    from handlers.targets import actions as target_actions
    from handlers.targets import command as target

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
    concerns.register(app, deps)

"""Domain errors. Their message is written for the person who triggered them."""


class DomainError(Exception):
    """A rule stopped the action; `str(error)` is a friendly, specific explanation."""


class NotAllowed(DomainError):
    """The caller's role does not allow this action."""


class NotFound(DomainError):
    """The record or person asked for does not exist in this workspace."""


class InvalidInput(DomainError):
    """What was typed cannot be used; the message says what would work."""

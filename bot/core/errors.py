"""Domain errors. Their message is written for the person who triggered them."""


class DomainError(Exception):
    """A rule stopped the action; `str(error)` is a friendly, specific explanation."""


class NotAllowed(DomainError):
    """The caller's role does not allow this action."""


class NotFound(DomainError):
    """The record or person asked for does not exist in this workspace."""


class InvalidInput(DomainError):
    """What was typed cannot be used; the message says what would work."""


class FieldErrors(InvalidInput):
    """Problems with what was typed into a modal, by field, to show beside each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors

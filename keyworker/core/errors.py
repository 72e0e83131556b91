"""Errors that services raise and that pages and the API turn into messages for the user."""


class RuleViolation(Exception):
    """A business rule refused the action. `rule` names the rule; `field` the input it concerns."""

    def __init__(self, message: str, *, rule: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}

"""Demo records of the safeguarding app for the demo school."""

from keyworker.organisations.models import Organisation


def demo_history(*, organisation: Organisation) -> None:
    """Deterministic, back-dated records for the demo (filled in with the app)."""
    return None

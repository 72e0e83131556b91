"""Helpers of the portal's tests: the sign-in link from the outbox."""

import re

from django.core import mail
from django.utils import timezone

from keyworker.notifications.services import deliveries_run

LINK = re.compile(r"http://[^/\s]+(/family/sign-in/link/\?sesame=[\w\-]+)")


def send_outbox() -> None:
    deliveries_run(now=timezone.now(), worker_id="test")


def last_link(to: str) -> str:
    """The path of the sign-in link in the newest e-mail sent to `to` (after the worker sent the outbox)."""
    send_outbox()
    for message in reversed(mail.outbox):
        if to in message.to:
            found = LINK.search(message.body)
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no e-mail to {to}")


def sign_in_with(client, path: str):
    """Open the link, then press its button: the response of the press."""
    page = client.get(path)
    assert page.status_code == 200, page.content[:500]
    token = path.split("sesame=", 1)[1]
    return client.post("/family/sign-in/link/", {"sesame": token})

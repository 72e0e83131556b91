"""An e-mail backend for tests: the mail server is down for the first N messages, then works like locmem."""

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    failures_left = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("mail server unreachable")
        return super().send_messages(messages)

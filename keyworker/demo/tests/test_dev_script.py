"""`python3 dev.py demo`: links in e-mails to the address served, e-mails to files, what the user set wins."""

import dev


def test_the_demo_links_to_the_port_it_serves_and_writes_emails_to_files(monkeypatch):
    for name in ("KEYWORKER_BASE_URL", "KEYWORKER_EMAIL_BACKEND", "KEYWORKER_EMAIL_FILE_PATH", "KEYWORKER_WEBAUTHN_ORIGINS",
                 "KEYWORKER_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    env = dev.demo_environment("8123")
    assert env["KEYWORKER_BASE_URL"] == "http://127.0.0.1:8123"
    assert env["KEYWORKER_WEBAUTHN_ORIGINS"] == "http://localhost:8123"
    assert env["KEYWORKER_EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert env["KEYWORKER_EMAIL_FILE_PATH"] == str(dev.EMAILS)
    assert "KEYWORKER_DEBUG" not in env  # Keyworker's own error pages, not Django's debug page


def test_what_the_user_set_wins(monkeypatch):
    monkeypatch.setenv("KEYWORKER_BASE_URL", "https://demo.example.org")
    monkeypatch.setenv("KEYWORKER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    env = dev.demo_environment("8000")
    assert env["KEYWORKER_BASE_URL"] == "https://demo.example.org"
    assert env["KEYWORKER_EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_emails_written_by_the_file_backend_are_counted(tmp_path, settings):
    from django.core import mail
    from django.core.mail.backends.filebased import EmailBackend

    backend = EmailBackend(file_path=str(tmp_path))
    backend.send_messages([mail.EmailMessage("One", "Body", to=["a@example.org"]),
                           mail.EmailMessage("Two", "Body", to=["b@example.org"])])
    assert dev.count_emails(tmp_path) == 2
    assert dev.count_emails(tmp_path / "none") == 0

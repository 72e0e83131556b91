"""The upload handler: a file past KEYWORKER_UPLOAD_MAX_MB is dropped while the request is read, on any page or API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from keyworker.core.uploads import upload_limits, upload_refusal


def _post(size: int):
    return RequestFactory().post("/anywhere/", {"note": "hello", "file": SimpleUploadedFile("a.csv", b"x" * size)})


def test_a_file_within_the_limit_is_kept(settings):
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    request = _post(1000)
    assert request.FILES["file"].size == 1000 and upload_refusal(request) == ""


def test_a_file_past_the_limit_is_dropped_with_a_message_and_the_rest_of_the_form_is_read(settings, tmp_path):
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    request = _post(3 * 1024 * 1024)
    assert "file" not in request.FILES and request.POST["note"] == "hello"
    assert upload_refusal(request) == "The file is larger than 1 MB. Split it into smaller files."
    assert not list(tmp_path.iterdir())  # the part already received was not kept on disk


def test_the_api_does_not_keep_a_large_file_either(world, settings, client):
    """No API resource takes a file; one sent anyway past the limit is dropped, and the answer is not a 500."""
    settings.KEYWORKER_UPLOAD_MAX_MB = 1
    client.force_login(world.admin_office.user)
    response = client.post("/api/v1/me/", {"file": SimpleUploadedFile("a.csv", b"x" * (2 * 1024 * 1024))})
    assert response.status_code < 500


@pytest.mark.parametrize("mb", [1, 40])
def test_limits_follow_the_settings(settings, mb):
    settings.KEYWORKER_UPLOAD_MAX_MB = mb
    assert upload_limits().max_bytes == mb * 1024 * 1024 and upload_limits(max_rows=7).max_rows == 7

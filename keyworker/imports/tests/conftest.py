"""Fixtures for import tests: uploaded files go to a temporary folder; the sample files in ../fixtures."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()

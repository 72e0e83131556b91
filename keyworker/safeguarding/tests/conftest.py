import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Wrong-password counts live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

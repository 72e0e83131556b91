"""Reads for downloads and reports go to the read replica when one is configured; everything else to the primary."""

import copy

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from keyworker.accounts.models import User
from keyworker.core.replica import ReplicaRouter, replica_reads
from keyworker.testing import make_world, verify_second_factor

# The router reads settings.DATABASES only to see whether a replica is configured.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def with_replica():
    databases = copy.deepcopy(settings.DATABASES)
    databases["replica"] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    return override_settings(DATABASES=databases)


def test_reads_in_the_block_go_to_the_replica_when_there_is_one():
    router = ReplicaRouter()
    with with_replica():
        assert router.db_for_read(User) is None
        with replica_reads():
            assert router.db_for_read(User) == "replica"
            assert router.db_for_write(User) == "default"
        assert router.db_for_read(User) is None


def test_without_a_replica_reads_stay_on_the_primary():
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(User) is None


@pytest.mark.django_db
def test_a_read_inside_a_transaction_stays_on_the_primary():
    with with_replica(), replica_reads(), transaction.atomic():
        assert ReplicaRouter().db_for_read(User) is None


def test_only_the_primary_is_migrated():
    assert ReplicaRouter().allow_migrate("default", "people") is True
    assert ReplicaRouter().allow_migrate("replica", "people") is False


@pytest.mark.django_db
def test_a_download_reads_its_rows_in_the_block(client, monkeypatch):
    """The families list as CSV: its rows are read inside replica_reads (the router sees the flag set)."""
    from keyworker.core import replica

    world = make_world()
    seen = []
    original = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(replica._reading.get())
        return original(self, model, **hints)

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    client.force_login(world.headteacher.user)
    verify_second_factor(client, world.headteacher.user)
    response = client.get("/families/all/?download=csv")
    assert response.status_code == 200
    assert True in seen and False in seen  # the page's own reads outside, the download's rows inside

"""The running worker gives way to the web's pages: it lowers its own scheduling priority, and never raises it."""

import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this system")
def test_the_worker_lowers_its_priority_and_never_raises_it():
    # In a child process, so the test run itself keeps its priority.
    code = ("from keyworker.core.processes import lower_priority; "
            "print(lower_priority(10), lower_priority(5), lower_priority(0), lower_priority(40))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    start = os.nice(0)
    assert out == [str(max(start, 10)), str(max(start, 10)), str(max(start, 10)), str(max(start, 19))]


def test_the_setting_defaults_to_ten():
    from django.conf import settings

    assert settings.WORKER_NICENESS == int(os.environ.get("KEYWORKER_WORKER_NICENESS", "10"))

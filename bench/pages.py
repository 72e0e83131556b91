"""Timing one page with Django's test client, as every page benchmark does: a few warm-up requests, then `runs`
timed ones; the median and 95th percentile wall time, the median CPU time of this process, the queries and the
size of one more request."""

from __future__ import annotations

import statistics
import time


def _body(response) -> bytes:
    """The page's bytes, read to the end (a file download streams: reading it is part of serving it)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
        response.close()
        return body
    return response.content


def time_page(client, url: str, runs: int, warmup: int, status: int = 200) -> tuple[float, float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        _body(client.get(url))
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    times.sort()
    return (statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            statistics.median(cpu), len(ctx.captured_queries), len(_body(response)))

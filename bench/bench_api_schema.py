"""Time the API's OpenAPI schema and its docs pages, first request and the ones after.

    .venv/bin/python bench/bench_api_schema.py [--runs 5]

Uses a throwaway SQLite database (migrated, no data: the schema describes the API, not the records). Requests go
through Django's test client as an anonymous visitor, as the schema and the docs are public. Prints, for each
address, the first request (the process's first schema) and the median of the following ones.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("schema (YAML)", "/api/v1/schema/", {}),
    ("schema (JSON)", "/api/v1/schema/", {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}),
    ("docs (Swagger UI)", "/api/v1/docs/", {}),
    ("docs (Redoc)", "/api/v1/redoc/", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per address after the first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        client = Client()
        print(f"{'address':20} {'first ms':>10} {'then median ms':>15} {'bytes':>10}")
        for label, url, headers in PAGES:
            times, size = [], 0
            for _ in range(1 + args.runs):
                start = time.perf_counter()
                response = client.get(url, **headers)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                size = len(response.content)
            print(f"{label:20} {times[0]:10.0f} {statistics.median(times[1:]):15.1f} {size:10}")


if __name__ == "__main__":
    main()

"""Benchmark: peak memory and time to read (or refuse) uploaded files, under the default upload limits.

    .venv/bin/python bench/bench_uploads.py
    .venv/bin/python bench/bench_uploads.py --rows 5000 --cells 20000000 --strings-mb 1024

Cases: a 2 MB XLSX bomb (one row of 20 million cells), a shared-string bomb (one string of 1 GB, about 1 MB zipped),
a normal children export of 5,000 rows as XLSX, and the same as CSV. The files are generated first; each is then
read by `read_table` in a fresh process (so one case's memory does not hide another's), which prints the outcome,
the seconds taken, the peak of Python allocations (tracemalloc, in a second run), the process's peak resident memory
(getrusage, with Django loaded: about 70 MB before anything is read) and its growth while reading.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _measure(path: str, trace: bool) -> dict:
    """Run in the child process: read the file once and report."""
    _setup()
    from keyworker.core.errors import RuleViolation
    from keyworker.imports.reading import read_table

    data = Path(path).read_bytes()
    before = _rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        table = read_table(Path(path).name, data)
        outcome = f"read: {len(table.rows):,} rows x {len(table.headers)} columns"
    except RuleViolation as exc:
        outcome = f"refused: {exc.message}"
    seconds = time.perf_counter() - started
    result = {"outcome": outcome, "seconds": seconds, "rss_growth_mb": _rss_mb() - before, "rss_peak_mb": _rss_mb()}
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    return result


def _child(path: Path, trace: bool) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)] + (["--trace"] if trace else []),
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows of the normal children export (5,000)")
    parser.add_argument("--cells", type=int, default=20_000_000, help="cells in the one-row bomb (20 million)")
    parser.add_argument("--strings-mb", type=int, default=1024, help="size of the shared string of the bomb (1024 MB)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.trace)))
        return

    _setup()
    from keyworker.imports.tests import files

    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        cases = {
            f"XLSX bomb: one row of {args.cells:,} cells": ("row-bomb.xlsx", files.one_row_bomb(cells=args.cells)),
            f"shared-string bomb: one string of {args.strings_mb:,} MB": (
                "strings-bomb.xlsx", files.shared_strings_bomb(chars=args.strings_mb * 1024 * 1024)),
            f"children export, {args.rows:,} rows (XLSX)": ("children.xlsx", files.children_export(args.rows)),
        }
        from keyworker.imports.reading import read_table

        xlsx_rows = read_table("children.xlsx", cases[f"children export, {args.rows:,} rows (XLSX)"][1])
        csv_text = "\n".join(",".join(_csv_cell(c) for c in row) for row in [xlsx_rows.headers, *xlsx_rows.rows])
        cases[f"children export, {args.rows:,} rows (CSV)"] = ("children.csv", csv_text.encode())
        print(f"Files generated in {time.perf_counter() - started:.1f} s. Load average: {os.getloadavg()[0]:.2f}\n")
        print(f"{'case':<48} {'file':>9} {'seconds':>8} {'traced peak':>12} {'RSS peak':>9} {'growth':>8}  outcome")
        for label, (name, data) in cases.items():
            path = folder / name
            path.write_bytes(data)
            plain = _child(path, trace=False)
            traced = _child(path, trace=True)
            print(f"{label:<48} {len(data) / (1024 * 1024):>7.2f}MB {plain['seconds']:>8.2f} "
                  f"{traced['traced_peak_mb']:>10.1f}MB {plain['rss_peak_mb']:>7.1f}MB {plain['rss_growth_mb']:>6.1f}MB  "
                  f"{plain['outcome'][:90]}")


def _csv_cell(cell: object) -> str:
    from keyworker.imports.reading import cell_text

    text = cell_text(cell)  # type: ignore[arg-type]
    return f'"{text}"' if "," in text else text


if __name__ == "__main__":
    main()

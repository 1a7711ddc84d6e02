"""A supplier report of N rows imported in one go: wall time and peak memory.

    python -m benchmarks.large_import --rows 1000000

The importer streams rows in chunks inside one transaction, so memory stays bounded by the chunk and
the number of contracts, not by the length of the file.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = "contract,candidate,kind,target_group,hours_per_week,start,end,amount_eur,hours,bonuses,evidence\n"


def write_report(path: Path, rows: int, contracts: int) -> None:
    start = date(2026, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(rows):
            begin = start + timedelta(days=n % 300)
            out.write(f"BIG-{n % contracts:05d},C-{n:07d},placement,participatiewet,{8 + n % 29},{begin},"
                      f"{begin + timedelta(days=60)},,,,row {n}\n")


def contracts_file(path: Path, contracts: int) -> None:
    lines = []
    for n in range(contracts):
        lines.append(f"- {{reference: BIG-{n:05d}, title: Groot {n}, buyer: Gemeente, category: services, "
                     f"cpv: '90910000', value_eur: '1000000', start: 2026-01-01, end: 2028-12-31, supplier: S{n}, "
                     "instruments: [{kind: sroi_clause, percentage: '5', valuation_table: utrecht}]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=100)
    args = parser.parse_args()
    from srr_engine.contracts import check_file, register_contracts
    from srr_engine.realisations import import_file
    from srr_engine.registry import get_registry
    from srr_engine.storage.db import make_engine, upgrade

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        engine = make_engine(f"sqlite:///{root / 'srr.db'}")
        upgrade(engine)
        registry = get_registry()
        contracts_file(root / "contracts.yaml", args.contracts)
        register_contracts(check_file(root / "contracts.yaml", registry), "bench", engine)
        write_report(root / "report.csv", args.rows, args.contracts)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        result = import_file(root / "report.csv", registry, "bench", date(2026, 12, 31), engine)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": result.rows, "import_s": round(seconds, 1), "rows_per_s": round(result.rows / seconds),
                      "peak_rss_mb": round(peak), "rss_before_mb": round(before)}))


if __name__ == "__main__":
    main()

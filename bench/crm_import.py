"""CSV import of N deals (Salesforce export shape) through `charter import deals --preset
salesforce`, next to a raw `sqlite3` executemany of the same rows into a table with the same
schema and indexes in the same SQLite file, in the same run, and of a bare executemany of the
same rows into a table with the same columns and no index or constraint at all (what inserting
the rows costs before any index is kept); plus an XLSX import of a smaller file and a re-import
of the CSV (which must change nothing).

Each measurement runs in its own process so its peak memory (VmHWM) is its own:

    python -m bench crm_import                  # 100,000 deals, a few minutes on 2 cores
    python -m bench crm_import --deals 1000000  # the full run the architecture targets
    python -m bench.crm_import --deals 20000    # the same, without the other benchmarks

Target (ARCHITECTURE.md): the importer at least 1/4 of the executemany rate (into the indexed
table), under 300 MB RSS; the ratio to the bare executemany is reported beside it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import child, generate

DEFAULT_DEALS = 100_000
DEFAULT_XLSX_DEALS = 20_000


def _peak_rss_mb() -> float:
    """This process's peak resident memory, from the kernel's high-water mark."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _setup_django(data_dir: str) -> None:
    os.environ["DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "charter.settings"
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["CHARTER_ENV_FILE"] = os.devnull
    import django

    django.setup()


def _prepare_org() -> None:
    """A migrated database with an organization and the sellers the files name."""
    from django.core.management import call_command

    from charter.org.models import Organization, Person, Role

    call_command("migrate", verbosity=0, interactive=False)
    if Organization.objects.exists():
        return
    org = Organization.objects.create(name="Bench Co", reporting_currency="USD")
    Person.objects.bulk_create(
        Person(
            org=org,
            full_name=name,
            email=f"seller{i}@bench.test",
            role=Role.REP,
        )
        for i, name in enumerate(generate.owner_names())
    )


def _child_import(data_dir: str, path: str, reimport: bool) -> dict[str, Any]:
    _setup_django(data_dir)
    from django.core.management import call_command

    from charter.crm.models import Deal

    _prepare_org()
    baseline = _peak_rss_mb()
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as this process
    start, cpu = time.perf_counter(), time.process_time()
    call_command("import", "deals", path, "--preset", "salesforce", stdout=sink, stderr=sink)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = Deal.objects.count()
    result: dict[str, Any] = {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(rows / seconds),
        "rss_before_import_mb": baseline,
    }
    if reimport:
        start = time.perf_counter()
        call_command("import", "deals", path, "--preset", "salesforce", stdout=sink, stderr=sink)
        result["reimport_seconds"] = round(time.perf_counter() - start, 2)
        result["rows_after_reimport"] = Deal.objects.count()
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


_STAGES = {"Closed Won": "won", "Closed Lost": "lost"}


def _raw_rows(path: str, org_id: int, owners: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    """The file's rows as the values the importer would store, with only the conversions the
    data needs (dates cut from timestamps, stages mapped, owners looked up by name)."""
    now = dt.datetime.now(dt.UTC).isoformat()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for r in reader:
            owner = r[2]
            yield (
                org_id, "salesforce", r[0], owners.get(owner.lower()), owner,
                " ".join(owner.lower().split()), now, now, _STAGES.get(r[3], "open"), r[3],
                r[6], r[7], r[6], r[8][:10], r[9], r[10], "", r[11], r[1],
            )  # fmt: skip


def _child_executemany(data_dir: str, path: str, *, bare: bool) -> dict[str, Any]:
    _setup_django(data_dir)
    from django.conf import settings

    from charter.org.models import Organization, Person

    _prepare_org()
    org = Organization.objects.get()
    owners = {n.lower(): pk for pk, n in Person.objects.values_list("pk", "full_name")}
    db = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), isolation_level=None)
    # The pragmas Charter's own connections use (settings.py), so both sides pay the same.
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    table = "bench_bare_deal" if bare else "bench_raw_deal"
    if bare:
        # The importer's columns and their types, and nothing else: no unique constraint, no
        # foreign key, no index.
        declared = db.execute("SELECT name, type FROM pragma_table_info('crm_deal')").fetchall()
        columns_sql = ", ".join(
            f'"{name}" {kind} PRIMARY KEY' if name == "id" else f'"{name}" {kind}'
            for name, kind in declared
        )
        db.execute(f"CREATE TABLE {table} ({columns_sql})")
    else:
        # The same table definition and indexes as the importer's table, under another name.
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'crm_deal' AND sql IS NOT NULL "
            "ORDER BY type DESC"
        ).fetchall():
            db.execute(sql.replace('"crm_deal"', f'"{table}"').replace(name, f"raw_{name}"))
    columns = (
        "org_id, source, external_id, owner_id, owner_raw, owner_key, created_at, updated_at, "
        "stage, raw_stage, amount, currency, amount_reporting, created_date, close_date, "
        "account, product, lead_source, name"
    )
    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * 19)})"
    start, cpu = time.perf_counter(), time.process_time()
    db.execute("BEGIN")
    db.executemany(insert, _raw_rows(path, org.pk, owners))
    db.execute("COMMIT")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    db.close()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _measure(kind: str, data_dir: str, path: Path, *extra: str) -> dict[str, Any]:
    return child.measure("bench.crm_import", kind, data_dir, str(path), *extra)


def _options(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench crm_import")
    parser.add_argument("--deals", type=int, default=DEFAULT_DEALS)
    parser.add_argument("--xlsx-deals", type=int, default=DEFAULT_XLSX_DEALS)
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    options, _unknown = parser.parse_known_args(argv)
    return options


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    options = _options(sys.argv[1:] if argv is None else argv)
    work = Path(tempfile.mkdtemp(prefix="charter-bench-crm-"))
    try:
        csv_path = work / "opportunities.csv"
        start = time.perf_counter()
        generate.write(csv_path, generate.deal_rows(options.deals))
        generated = time.perf_counter() - start
        data_dir = str(work / "db")
        charter = _measure("import", data_dir, csv_path, "--reimport")
        # Into the same SQLite file the importer just filled, so disk and page cache match.
        reference = _measure("executemany", data_dir, csv_path)
        bare = _measure("bare", data_dir, csv_path)
        results: dict[str, Any] = {
            "deals": options.deals,
            "csv_mb": round(csv_path.stat().st_size / 1e6, 1),
            "generate_seconds": round(generated, 1),
            "import_seconds": charter["seconds"],
            "import_rows_per_s": charter["rows_per_s"],
            "import_peak_rss_mb": charter["peak_rss_mb"],
            "import_rss_before_mb": charter["rss_before_import_mb"],
            "reimport_unchanged_seconds": charter["reimport_seconds"],
            "rows_after_reimport": charter["rows_after_reimport"],
            "executemany_seconds": reference["seconds"],
            "executemany_rows_per_s": reference["rows_per_s"],
            "executemany_peak_rss_mb": reference["peak_rss_mb"],
            "ratio_import_to_executemany": round(
                charter["rows_per_s"] / reference["rows_per_s"], 3
            ),
            # Processor time as well: on a busy machine the wall-clock rates of the three
            # processes, measured one after another, move with whatever else runs.
            "import_cpu_seconds": charter["cpu_seconds"],
            "executemany_cpu_seconds": reference["cpu_seconds"],
            "ratio_import_to_executemany_cpu": round(
                reference["cpu_seconds"] / charter["cpu_seconds"], 3
            ),
            "bare_executemany_seconds": bare["seconds"],
            "bare_executemany_rows_per_s": bare["rows_per_s"],
            "ratio_import_to_bare_executemany": round(
                charter["rows_per_s"] / bare["rows_per_s"], 3
            ),
            "bare_executemany_cpu_seconds": bare["cpu_seconds"],
            "ratio_import_to_bare_executemany_cpu": round(
                bare["cpu_seconds"] / charter["cpu_seconds"], 3
            ),
            "target": "ratio_import_to_executemany >= 0.25, import_peak_rss_mb < 300",
        }
        if options.xlsx_deals:
            xlsx_path = work / "opportunities.xlsx"
            generate.write(xlsx_path, generate.deal_rows(options.xlsx_deals))
            xlsx = _measure("import", str(work / "db-xlsx"), xlsx_path)
            results["xlsx_deals"] = options.xlsx_deals
            results["xlsx_import_rows_per_s"] = xlsx["rows_per_s"]
            results["xlsx_import_peak_rss_mb"] = xlsx["peak_rss_mb"]
        return results
    finally:
        if options.keep:
            print(f"   files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--child"]:
        kind, data_dir, path = argv[1:4]
        if kind == "import":
            result = _child_import(data_dir, path, reimport="--reimport" in argv)
        else:
            result = _child_executemany(data_dir, path, bare=kind == "bare")
        child.report(result)
        return 0
    for key, value in run(argv).items():
        print(f"   {key:<40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

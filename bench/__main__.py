"""`make bench`: run every benchmark, print a table and write bench/out/results.json.

Each benchmark measures Charter next to a reference doing the same work in the same run, so the
ratio holds on a noisy or slow machine. Nothing here asserts a time; the figures are reported.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="charter-bench-"))
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ["CHARTER_ENV_FILE"] = os.devnull
    import django

    django.setup()
    from bench import crm_import, kpi_scorecards, learning_compliance, pdf_render

    benches = {
        "pdf_render": pdf_render.run,
        "crm_import": crm_import.run,
        "kpi_scorecards": kpi_scorecards.run,
        "learning_compliance": learning_compliance.run,
    }
    # Other arguments (`--deals 1000000`) belong to the benchmarks, which read them themselves.
    wanted = [a for a in argv if a in benches] or list(benches)
    results = {}
    for name in wanted:
        print(f"== {name}", flush=True)
        results[name] = benches[name]()
        for key, value in results[name].items():
            print(f"   {key:<40} {value}")
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(f"written to {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Deterministic CRM files for benchmarks: N deals and M activities, as CSV or XLSX, in the
Salesforce export shape (what `--preset salesforce` reads) or the plain shape (Charter's own
field names). The same seed and size always give the same bytes.

    python -m bench.generate deals 1000000 /tmp/deals.csv [--shape plain] [--seed 1]
    python -m bench.generate activities 500000 /tmp/tasks.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SEED = 4242
START = dt.date(2023, 1, 2)
SPAN_DAYS = 730
# One unmatched owner in a hundred rows, as real exports carry people who have left.
UNMATCHED_SHARE = 0.01

_FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn"]
_LAST = [
    "Nguyen",
    "Smith",
    "Garcia",
    "Müller",
    "Okafor",
    "Rossi",
    "Kowalski",
    "Silva",
    "Kim",
    "Berg",
]
_ACCOUNT_A = ["Summit", "Cascade", "Granite", "Harbor", "Aspen", "Prairie", "Glacier", "Redwood"]
_ACCOUNT_B = ["Outfitters", "Supply", "Trading Co", "Sports", "Retail Group", "Co-op"]

DEAL_HEADERS = {
    "salesforce": [
        "Id", "Name", "Opportunity Owner", "StageName", "IsWon", "IsClosed", "Amount",
        "CurrencyIsoCode", "CreatedDate", "CloseDate", "AccountName", "LeadSource",
    ],
    "plain": [
        "external_id", "owner", "stage", "amount", "currency", "created_date", "close_date",
        "account", "product",
    ],
}  # fmt: skip
ACTIVITY_HEADERS = {
    # A Salesforce Task export (Data Loader): subtype, date, call duration in seconds.
    "salesforce": [
        "Id", "Assigned", "TaskSubtype", "ActivityDate", "CallDurationInSeconds", "Status",
        "Subject",
    ],
    "plain": ["external_id", "owner", "kind", "timestamp", "duration", "outcome"],
}  # fmt: skip


def owner_names(count: int = 200) -> list[str]:
    """The sellers named in generated files; a benchmark creates these people first."""
    names = [f"{first} {last}" for last in _LAST for first in _FIRST]
    out = []
    for i in range(count):
        base = names[i % len(names)]
        out.append(base if i < len(names) else f"{base} {i // len(names) + 1}")
    return out


def _sf_id(prefix: str, n: int) -> str:
    return f"{prefix}5g00000{n:08d}"


def deal_rows(n: int, *, shape: str = "salesforce", seed: int = SEED) -> Iterator[list[Any]]:
    """The header, then `n` deal rows."""
    rng = random.Random(seed)
    owners = owner_names()
    yield list(DEAL_HEADERS[shape])
    for i in range(1, n + 1):
        owner = f"Former Rep {rng.randint(1, 5)}" if rng.random() < UNMATCHED_SHARE else None
        owner = owner or owners[rng.randrange(len(owners))]
        created = START + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        close = created + dt.timedelta(days=rng.randint(20, 120))
        roll = rng.random()
        stage = "open" if roll < 0.2 else ("won" if roll < 0.45 else "lost")
        amount = f"{round(rng.lognormvariate(9.5, 0.8), 2):.2f}"
        account = f"{rng.choice(_ACCOUNT_A)} {rng.choice(_ACCOUNT_B)}"
        if shape == "salesforce":
            raw_stage = {"open": "Negotiation/Review", "won": "Closed Won", "lost": "Closed Lost"}
            yield [
                _sf_id("006", i),
                f"{account} deal {i}",
                owner,
                raw_stage[stage],
                "true" if stage == "won" else "false",
                "false" if stage == "open" else "true",
                amount,
                "USD",
                f"{created.isoformat()}T09:30:00.000Z",
                close.isoformat(),
                account,
                rng.choice(["Web", "Partner", "Trade Show", "Referral"]),
            ]
        else:
            yield [
                f"D{i}",
                owner,
                stage,
                amount,
                "USD",
                created.isoformat(),
                close.isoformat(),
                account,
                rng.choice(["Tents", "Apparel", "Packs"]),
            ]


def activity_rows(m: int, *, shape: str = "plain", seed: int = SEED) -> Iterator[list[Any]]:
    """The header, then `m` activity rows."""
    rng = random.Random(seed + 1)
    owners = owner_names()
    kinds = ["call", "email", "meeting", "demo"]
    yield list(ACTIVITY_HEADERS[shape])
    for i in range(1, m + 1):
        owner = owners[rng.randrange(len(owners))]
        day = START + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        kind = rng.choices(kinds, [0.45, 0.35, 0.12, 0.08])[0]
        minutes = rng.randint(5, 60) if kind != "email" else 0
        if shape == "salesforce":
            subtype = {"call": "Call", "email": "Email", "meeting": "Task", "demo": "Task"}[kind]
            yield [
                _sf_id("00T", i),
                owner,
                subtype,
                day.isoformat(),
                minutes * 60 if kind == "call" else "",
                "Completed",
                f"{kind.capitalize()} {i}",
            ]
        else:
            yield [
                f"A{i}",
                owner,
                kind,
                f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.choice(['00', '30'])}:00Z",
                minutes or "",
                rng.choice(["Connected", "Voicemail", "Held", "Sent"]),
            ]


def write(path: Path, rows: Iterator[list[Any]]) -> int:
    """Write rows as CSV or (by the suffix) XLSX; returns the number of data rows."""
    count = -1
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Export")
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(path)
        return count
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("what", choices=["deals", "activities"])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--shape", choices=["salesforce", "plain"], default="salesforce")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    make = deal_rows if args.what == "deals" else activity_rows
    written = write(args.path, make(args.rows, shape=args.shape, seed=args.seed))
    print(f"{written:,} {args.what} written to {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`charter import <importer> FILE`: run any registered importer from the command line."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.core import heap, registry
from charter.core.imports.base import ImportOption, Issue
from charter.core.imports.mapping import ColumnMap
from charter.core.imports.readers import Opener, open_table, path_opener
from charter.core.imports.report import rejected_rows, report_table, write_report_csv
from charter.core.imports.runner import Observer, execute_run, get_importer
from charter.core.imports.selectors import import_profile_get, import_profiles
from charter.core.imports.services import file_sha256, import_profile_save, import_run_create
from charter.core.models import ImportRun
from charter.org.selectors import current_org

_TABLE_LIMIT = 50


def _all_options() -> dict[str, tuple[ImportOption, list[str]]]:
    """Every importer switch, with the importers that understand it."""
    found: dict[str, tuple[ImportOption, list[str]]] = {}
    for name in sorted(registry.importers):
        for option in registry.importers[name].options:
            found.setdefault(option.name, (option, []))[1].append(name)
    return found


class _TerminalObserver(Observer):
    """Prints what is happening: the file and columns on stdout, progress on stderr."""

    def __init__(self, command: Command) -> None:
        self.command = command
        self.tty = command.stderr.isatty()
        self.last_line = ""
        self.description = ""

    def opened(self, *, description: str, column_map: ColumnMap) -> None:
        self.description = description
        self.command.stdout.write(description)
        pairs = ", ".join(f"{f} ← {c!r}" for f, c in column_map.names().items())
        self.command.stdout.write(f"Columns: {pairs}")
        ignored = column_map.ignored()
        if ignored:
            self.command.stdout.write(f"Ignored columns: {', '.join(repr(c) for c in ignored)}")

    def progress(self, *, done: int, total: int, elapsed: float) -> None:
        rate = done / elapsed if elapsed > 0 else 0.0
        percent = int(done * 100 / total) if total else 100
        line = f"Checked {done:,} of {total:,} rows ({percent}%) · {rate:,.0f} rows/s"
        if self.tty:
            self.command.stderr.write("\r" + line.ljust(len(self.last_line)), ending="")
        elif done == total:
            self.command.stderr.write(line)
        self.last_line = line

    def applying(self, *, rows: int) -> None:
        if self.tty and self.last_line:
            self.command.stderr.write("")
            self.last_line = ""
        self.command.stderr.write(f"Writing {rows:,} rows in one transaction…")


class Command(BaseCommand):
    help = (
        "Import records (people, …) from a CSV or XLSX file with a registered importer.\n"
        "Every row is checked first; nothing is written unless every row is valid, or "
        "--skip-invalid is given."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        lines = ["importers and their fields (a column matches a field by any of its names):"]
        for name in sorted(registry.importers):
            importer = registry.importers[name]
            lines.append(f"  {name}:")
            for f in importer.fields:
                lines.append(f"    {f.describe()}")
                if f.help:
                    lines.append(f"        {f.help}")
        lines += [
            "",
            "examples:",
            "  charter import people staff.csv --dry-run",
            "  charter import people staff.xlsx --sheet Staff --map name='Employee' --create-teams",
            "  charter import people staff.csv --map manager='Boss email' --save-profile hr",
            "  charter import people next-month.csv --profile hr --skip-invalid",
            "  charter import deals opportunities.csv --preset salesforce --date-format %d/%m/%Y",
            "  charter import deals pipeline.csv --map owner='Sales agent' "
            "--stage-map 'Engaging=open'",
            "",
            "Exit status: 0 when the file was applied (or a dry run found it valid), 1 when it "
            "was rejected.",
        ]
        parser.epilog = "\n".join(lines)
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "importer", choices=sorted(registry.importers), help="what the file contains"
        )
        parser.add_argument("file", help="a CSV (any of , ; or tab; UTF-8/16 or Latin-1) or XLSX")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="read FIELD from COLUMN (repeatable); FIELD= leaves the field out",
        )
        parser.add_argument("--profile", metavar="NAME", help="use a saved column mapping")
        parser.add_argument(
            "--save-profile",
            metavar="NAME",
            help="save the column mapping used under NAME once the columns match",
        )
        parser.add_argument("--sheet", metavar="NAME", help="the XLSX sheet (default: the first)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and say what would change, but write nothing",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="apply the valid rows and report the invalid ones (default: all or nothing)",
        )
        parser.add_argument(
            "--errors-csv",
            metavar="PATH",
            help="also write every problem to PATH as CSV (row, column, value, reason)",
        )
        parser.add_argument(
            "--rejected-csv",
            metavar="PATH",
            help="also write the rows with problems to PATH, in the file's own columns plus an "
            "'error' column, to fix and import again",
        )
        parser.add_argument(
            "--preset",
            metavar="NAME",
            help="read the file as a known export, e.g. salesforce, hubspot, pipedrive (deals)",
        )
        parser.add_argument(
            "--stage-map",
            action="append",
            default=[],
            metavar="'RAW=open|won|lost'",
            dest="stage_map",
            help="what a raw CRM stage means (repeatable), e.g. --stage-map 'Signed=won'",
        )
        parser.add_argument(
            "--date-format",
            metavar="FORMAT",
            help="how ambiguous dates are written, e.g. %%d/%%m/%%Y or %%m/%%d/%%Y",
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="the system the rows come from (default: the preset's name, else 'file')",
        )
        for option, kinds in _all_options().values():
            parser.add_argument(
                option.flag,
                action="store_true",
                dest=option.name,
                help=f"{option.help} ({', '.join(kinds)})",
            )

    def handle(self, *args: Any, **opts: Any) -> None:
        kind: str = opts["importer"]
        importer = get_importer(kind)
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        org = current_org()
        if org is None:
            raise CommandError("There is no organization yet; run `charter demo` first.")
        supported = {o.name for o in importer.options}
        options: dict[str, Any] = {}
        for name, (option, kinds) in _all_options().items():
            if opts.get(name):
                if name not in supported:
                    raise CommandError(
                        f"{option.flag} does not apply to the {kind} importer "
                        f"(only to {', '.join(kinds)})"
                    )
                options[name] = True
        if opts["sheet"]:
            options["sheet"] = opts["sheet"]
        mapping, profile_options = self._mapping(org, kind, opts)
        options.update(self._settings(importer, profile_options, opts))
        opener = path_opener(path)
        run = import_run_create(
            org=org,
            kind=kind,
            filename=path.name,
            actor=None,
            mapping=mapping,
            options=options,
            dry_run=opts["dry_run"],
            skip_invalid=opts["skip_invalid"],
            file_sha256=file_sha256(opener),
        )
        observer = _TerminalObserver(self)
        # An import is a long job in a process of its own, like the worker's: settle the heap
        # as the worker does. Validating a file builds a few objects per cell, and without this
        # the collector walked every object Django had loaded again and again: a fifth of the
        # import's time.
        heap.settle()
        execute_run(run, opener=opener, observer=observer)
        if opts["rejected_csv"] and run.invalid_count:
            self._write_rejected(run, opener, opts["rejected_csv"])
        self._save_profile(run, opts)
        self._report(run, opts, observer.description)

    def _settings(
        self, importer: Any, saved: dict[str, Any], opts: dict[str, Any]
    ) -> dict[str, Any]:
        """The valued options: a saved profile's, then those on the command line."""
        given = {k: v for k, v in saved.items() if k in importer.valued_options}
        for name in ("preset", "stage_map", "date_format", "source"):
            if opts.get(name):
                given[name] = opts[name]
        try:
            cleaned: dict[str, Any] = importer.clean_settings(given)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        return cleaned

    def _mapping(
        self, org: Any, kind: str, opts: dict[str, Any]
    ) -> tuple[dict[str, str], dict[str, Any]]:
        mapping: dict[str, str] = {}
        profile_options: dict[str, Any] = {}
        if opts["profile"]:
            profile = import_profile_get(org=org, kind=kind, name=opts["profile"])
            if profile is None:
                names = [p.name for p in import_profiles(org=org, kind=kind)]
                saved = ", ".join(repr(n) for n in names) if names else "none yet"
                raise CommandError(
                    f"There is no {kind} import profile called {opts['profile']!r}; "
                    f"saved profiles: {saved}"
                )
            mapping.update(profile.mapping)
            profile_options = dict(profile.options)
        for item in opts["map"]:
            field, sep, column = item.partition("=")
            if not sep or not field.strip():
                raise CommandError(f"--map expects FIELD=COLUMN, got {item!r}")
            mapping[field.strip()] = column.strip()
        return mapping, profile_options

    def _save_profile(self, run: ImportRun, opts: dict[str, Any]) -> None:
        name = opts["save_profile"]
        if not name:
            return
        if run.dry_run:
            self.stdout.write(f"Profile {name!r} not saved: a dry run writes nothing.")
            return
        if not run.mapping or run.status == ImportRun.Status.FAILED:
            self.stdout.write(f"Profile {name!r} not saved: the columns did not match.")
            return
        try:
            importer = get_importer(run.kind)
            settings = {k: v for k, v in run.options.items() if k in importer.valued_options}
            import_profile_save(
                org=run.org,
                kind=run.kind,
                name=name,
                mapping=run.mapping,
                actor=None,
                options=settings,
            )
        except ValidationError as exc:
            raise CommandError(f"Profile not saved: {'; '.join(exc.messages)}") from exc
        self.stdout.write(f"Saved the column mapping as profile {name!r}.")

    def _write_rejected(self, run: ImportRun, opener: Opener, target: str) -> None:
        reader = open_table(opener, run.filename, sheet=run.options.get("sheet") or None)
        issues = (Issue.from_dict(e) for e in run.errors)
        with open(target, "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rejected_rows(reader, issues))
        self.stdout.write(f"Wrote the {run.invalid_count:,} rejected rows to {target}.")

    def _report(self, run: ImportRun, opts: dict[str, Any], already_said: str) -> None:
        issues = [Issue.from_dict(e) for e in run.errors]
        if opts["errors_csv"]:
            with open(opts["errors_csv"], "w", newline="", encoding="utf-8") as out:
                write_report_csv(issues, out)
        if issues:
            self.stdout.write(f"\n{len(issues):,} problem{'s' if len(issues) != 1 else ''}:")
            self.stdout.write(report_table(issues, limit=_TABLE_LIMIT))
            if len(issues) > _TABLE_LIMIT and not opts["errors_csv"]:
                self.stdout.write("Use --errors-csv PATH to get every problem as a CSV file.")
            self.stdout.write("")
        self.stdout.write(
            f"Created {run.created_count:,} · updated {run.updated_count:,} · unchanged "
            f"{run.unchanged_count:,} · invalid rows {run.invalid_count:,}"
        )
        rejected = run.status == ImportRun.Status.REJECTED or (
            run.status == ImportRun.Status.DRY_RUN and run.errors and not run.skip_invalid
        )
        # The file description was printed when it was opened; do not repeat it.
        verdict = run.message.removeprefix(already_said).strip() if already_said else run.message
        if rejected or run.status == ImportRun.Status.FAILED:
            raise CommandError(verdict)
        self.stdout.write(self.style.SUCCESS(verdict))
        if run.status == ImportRun.Status.APPLIED:
            for note in get_importer(run.kind).outcome_notes(run):
                self.stdout.write(self.style.WARNING(note))

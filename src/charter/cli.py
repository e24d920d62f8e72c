"""The `charter` command: every admin job of a Charter installation.

`charter <command> [options]` runs the Django management command of that name with the Charter
settings, so `DATABASE_URL` and the rest of `.env` apply to the CLI exactly as to the web server
and the worker. `charter --help` lists the Charter commands; `charter <command> --help`
explains one.
"""

from __future__ import annotations

import os
import sys

# The commands an operator needs, in the order `charter --help` shows them. Django's own commands
# (makemigrations, shell, dbshell, …) still work through `charter` for developers.
COMMANDS = [
    "serve",
    "worker",
    "tick",
    "migrate",
    "demo",
    "import",
    "scorecard",
    "periods",
    "rollups",
    "createadmin",
    "backup",
    "restore",
    "verify-signatures",
    "check",
]

# Operator-facing names with dashes for Django commands whose module names cannot have them.
ALIASES = {"verify-signatures": "verify_signatures"}


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _overview() -> str:
    from django.core.management import get_commands, load_command_class

    available = get_commands()
    lines = [
        "usage: charter <command> [options]",
        "",
        "Charter: expectations, KPIs, learning and feedback for a sales team.",
        "",
        "commands:",
    ]
    for name in COMMANDS:
        module = ALIASES.get(name, name)
        if module not in available:
            continue
        command = load_command_class(available[module], module)
        lines.append(f"  {name:<18} {_first_sentence(str(command.help or ''))}")
    lines += [
        "",
        "Run 'charter <command> --help' for a command's options.",
        "Configuration comes from the environment and ./.env (see .env.example).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    import django

    django.setup()
    if not args or args[0] in ("-h", "--help", "help"):
        print(_overview())
        return
    if args[0] == "--version":
        from importlib.metadata import version

        print(f"charter {version('charter')}")
        return
    from django.core.management import ManagementUtility

    args[0] = ALIASES.get(args[0], args[0])
    utility = ManagementUtility(["charter", *args])
    utility.prog_name = "charter"
    utility.execute()


if __name__ == "__main__":
    main()

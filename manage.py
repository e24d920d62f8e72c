#!/usr/bin/env python
"""Django's manage.py, kept for developers used to it; `charter` is the friendlier entry point."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "charter.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

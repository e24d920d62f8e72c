"""`python -m bench.kpi_scorecards [options]`, and each step's child process (`--child STEP`)."""

import sys

from bench.kpi_scorecards.runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Charter's settings with the benchmark's URLs (the product's plus a trivial view), for the
server the dashboard benchmark starts."""

from charter.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

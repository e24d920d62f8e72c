"""What a long-running Charter process does once it has started: load everything a request
needs, then take the objects loaded so far out of the garbage collector's way.

Python's cyclic collector walks every tracked object on each full collection. In a web process
most of them are Django's and Charter's own (modules, models, URL patterns, templates), loaded
once and never freed, so walking them again and again finds nothing. `gc.freeze()` moves them to
a generation the collector leaves alone: full collections then only walk what requests and jobs
create, which makes them several times cheaper (an org-wide scorecard page, which builds tens of
thousands of objects, often triggers one).

The youngest generation is also collected less often: by default Python looks for cycles every
700 new objects, so a page that builds 40,000 runs some 60 young collections, each walking
objects that are still in use, while nearly everything a request makes is freed by reference
counting when it ends. Every 10,000 cuts the collector's share of such a page from about a
tenth to a fortieth; what a missed cycle can hold meanwhile is a few thousand small objects.
"""

from __future__ import annotations

import gc

# New objects between two collections of the youngest generation (Python's default: 700).
YOUNG_THRESHOLD = 10_000


def settle() -> int:
    """Import the URLconf (and with it every view module), collect what startup left as garbage,
    then freeze the rest; returns how many objects were frozen. Safe to call more than once."""
    from django.urls import get_resolver

    # The URL patterns import the views, forms and templates' tags on first use: do it now so
    # the first request does not pay for it and those objects are frozen too.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    return gc.get_freeze_count()

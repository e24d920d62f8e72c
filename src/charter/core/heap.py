"""What a long-running Charter process does once it has started: load everything a request
needs, then take the objects loaded so far out of the garbage collector's way.

Python's cyclic collector walks every tracked object on each full collection. In a web process
most of them are Django's and Charter's own (modules, models, URL patterns, templates), loaded
once and never freed, so walking them again and again finds nothing. `gc.freeze()` moves them to
a generation the collector leaves alone: full collections then only walk what requests and jobs
create, which makes them several times cheaper (an org-wide scorecard page, which builds tens of
thousands of objects, often triggers one).
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Import the URLconf (and with it every view module), collect what startup left as garbage,
    then freeze the rest; returns how many objects were frozen. Safe to call more than once."""
    from django.urls import get_resolver

    # The URL patterns import the views, forms and templates' tags on first use: do it now so
    # the first request does not pay for it and those objects are frozen too.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()

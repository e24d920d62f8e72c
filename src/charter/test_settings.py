"""Settings for the test suite: the real settings, with the environment a test run needs.

Set before `charter.settings` reads the environment, so nothing from a developer's `.env` leaks in.
"""

import os
import tempfile

os.environ["CHARTER_ENV_FILE"] = os.devnull
# Jobs run in-process during tests; one test runs the real database worker on purpose.
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="charter-test-"))
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")

from charter.settings import *  # noqa: F403

"""Settings for the test suite: the real settings, with the environment a test run needs.

Set before `charter.settings` reads the environment, so nothing from a developer's `.env` leaks in.
"""

import os
import tempfile

os.environ["CHARTER_ENV_FILE"] = os.devnull
# Jobs run in-process during tests; one test runs the real database worker on purpose.
os.environ.setdefault("TASKS_BACKEND", "immediate")
# One folder per xdist worker: the controller's folder would be inherited by every worker, and
# one worker's uploads would show up in another's listings. A process a worker starts (a server
# under test) inherits that worker's folder, and with it the same secret key.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if "DATA_DIR" not in os.environ or os.environ.get("CHARTER_TEST_DATA_DIR_OF", _worker) != _worker:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix=f"charter-test-{_worker}")
    os.environ["CHARTER_TEST_DATA_DIR_OF"] = _worker
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")

from charter.settings import *  # noqa: E402, F403

"""Project-level tests share the personas of src/charter/conftest.py (not its fast password
hashing, which is autouse there: some tests here check real hashes across processes)."""

from charter.conftest import (  # noqa: F401
    admin,
    everyone,
    executive,
    manager,
    org,
    other_manager,
    other_team_rep,
    rep,
    rep2,
    teams,
)

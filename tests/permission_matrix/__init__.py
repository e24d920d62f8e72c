"""The permission matrix: every URL of the project, for every role, against an explicit table.

The tests (tests/test_permission_matrix.py) walk the whole URL configuration (web pages and
`/api/v1/`), fill each pattern's keyword arguments from the objects of one small world (see
`world.world`), request it as each role and compare the outcome with `MATRIX`. A URL without an
entry fails the test: whoever adds a URL must say here who may open it. Objects in the table are
chosen *outside* some roles' scope (another rep's page, another team's job) so the matrix checks
scope, not only roles.

A second pass sends the write (POST, or the method given) of every state-changing URL as each
role: a role that may not must get its refusal and leave the database exactly as it was; a role
that may gets a success (inside a rolled-back savepoint, so the next URL sees the same world).

Outcomes: a status code (200, 400, 401, 403, 404, 405), LOGIN (a redirect to the sign-in page),
REDIRECT (any other redirect), CHANGES (write pass: success that changed the database).

Adding a URL: add one `Row` to the `ROWS` of its app's module in `rows/` (`web`, `accounts`,
`org`, `api` for the API's own and its people and teams, `expectations`, `crm`, `kpis`,
`learning`; an app's API endpoints go with the app), saying what GET gives each role and, for a
state-changing URL, what its write gives (`CHANGES` where it succeeds). A new app gets a new
module, listed in `rows/__init__.py`. URL keyword arguments come from `KWARGS` in `urls.py`
unless the row gives its own `kwargs`; an object the world does not have yet is made on first
use by a function in `world.py`.

Modules: `outcomes` (ROLES, `By`, the shared shapes, `Row`, reading a response, the database
fingerprint), `world` (the fixture and objects made on first use), `urls` (walking the URL
configuration, KWARGS), `rows` (MATRIX).
"""

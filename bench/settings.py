"""Settings for benchmarks and drills: Linli's own settings plus two bench-only baseline views
(``bench.urls``). Nothing here changes how the app itself behaves."""

from linli.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# ``X-Bench-Bump: <community id>``: bump that community's change counter before the request
# (the ``*_miss`` scenarios: every version-keyed page cache misses). Bench settings only.
MIDDLEWARE = ["bench.urls.BumpMiddleware", *MIDDLEWARE]  # noqa: F405

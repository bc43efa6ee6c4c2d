"""Settings for benchmarks and drills: Linli's own settings plus two bench-only baseline views
(``bench.urls``). Nothing here changes how the app itself behaves."""

from linli.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

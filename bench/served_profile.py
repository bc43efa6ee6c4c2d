"""A gunicorn config (``GUNICORN_CMD_ARGS="-c bench/served_profile.py"``, set by
``python -m bench.served SCENARIO --profile`` and ``python -m bench.submit --served
--profile``): each worker runs cProfile, timing CPU
(``time.process_time``), over every request it serves (from gunicorn's ``pre_request`` to its
``post_request``, HTTP parsing aside) and writes its stats to
``$BENCH_PROFILE_DIR/worker-<pid>.prof`` when it exits. Bench only; the app is untouched."""

import cProfile
import os
import tempfile
import time

_profile = cProfile.Profile(time.process_time)


def pre_request(worker, req):
    _profile.enable()


def post_request(worker, req, environ, resp):
    _profile.disable()


def worker_exit(server, worker):
    _profile.disable()
    out = os.environ.get("BENCH_PROFILE_DIR") or tempfile.gettempdir()
    _profile.dump_stats(os.path.join(out, f"worker-{os.getpid()}.prof"))

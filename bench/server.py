"""Shared by the benchmark and the drills: a free loopback port, gunicorn (2 workers) with the
bench settings, log-ins, and running the load generator as a separate process."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
VAR = REPO / "var" / "bench"
PASSWORD = "linli-demo-2026"  # noqa: S105 - the demo's published password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(db_path: Path | None, **extra: str) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["LINLI_VAR_DIR"] = str(VAR)
    env.setdefault("LINLI_LOG_LEVEL", "WARNING")
    # Residents submit hundreds of requests a minute here: counted, as in production, but
    # never refused (a 429 is an error of the scenario, and far cheaper than a submit).
    env.setdefault("LINLI_RATE_SUBMIT", "1000000/h")
    env.setdefault("LINLI_RATE_API", "1000000/m")
    if db_path is not None:
        env["LINLI_SQLITE_PATH"] = str(db_path)
    env.update(extra)
    return env


class Server:
    def __init__(self, env: dict, port: int, log: Path, workers: int = 2):
        self.env, self.port, self.log, self.workers = env, port, log, workers
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log, "a")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "linli.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            env=self.env,
            cwd=REPO,
            stdout=logf,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/bench/hello")
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def pids(self) -> list[int]:
        """The master and its workers, by parent id."""
        if not self.proc:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [self.proc.pid] + [int(p) for p in out.split()]

    def cpu_seconds(self) -> float:
        """User + system CPU the server's processes have used so far (Linux ``/proc``)."""
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, IndexError):
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        return total / os.sysconf("SC_CLK_TCK")

    def kill9(self) -> list[int]:
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()
        return pids

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9()


def request(port: int, method: str, path: str, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def _cookies(headers) -> dict:
    jar = {}
    for k, v in headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(port: int, username: str) -> dict:
    """Log in through the real login form; return the session and CSRF cookies."""
    status, headers, body = request(port, "GET", "/accounts/login/")
    jar = _cookies(headers)
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not m or "csrftoken" not in jar:
        raise RuntimeError(f"login page: {status}")
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": m.group(1).decode()}
    )
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    jar.update(_cookies(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} failed: {status}")
    return {"sessionid": jar["sessionid"], "csrftoken": jar["csrftoken"]}


def load(spec: dict, env: dict | None = None) -> dict:
    """Run the load generator in its own process and return its JSON result."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bench.load", f.name],
            cwd=REPO,
            env=env or bench_env(None),
            capture_output=True,
            text=True,
            timeout=spec["duration"] + spec.get("warmup", 0) + 300,
        )
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)

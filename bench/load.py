"""The load generator, run as its own process: ``python -m bench.load SPEC.json``.

``concurrency`` threads, each with its own keep-alive ``http.client`` connection (reopened when
the server closes it, as gunicorn's sync workers do after each response) and its own log-in
(session and CSRF cookies), send their list of requests round and round: ``warmup`` seconds
not counted, then ``duration`` seconds measured, never more than ``max_requests``. Prints one
JSON object: requests, rps, p50/p95/p99 in ms, errors (non-2xx or no answer), a few error
samples and, with ``record_ids``, the ids in the JSON bodies of 201 answers with the time each
was acknowledged (for the drills).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def worker(spec: dict, slot: int, t_start: float, t_measure: float, t_end: float, out: dict):
    session = spec["sessions"][slot % len(spec["sessions"])] if spec.get("sessions") else {}
    reqs = spec["requests"][slot % len(spec["requests"])]
    headers = {"Host": f"127.0.0.1:{spec['port']}", "Connection": "keep-alive"}
    if session:
        headers["Cookie"] = f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}"
        headers["X-CSRFToken"] = session["csrftoken"]
        headers["Referer"] = f"http://127.0.0.1:{spec['port']}/"
    headers.update(spec.get("headers") or {})
    conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=spec.get("timeout", 30))
    lat, errors, samples, acks = [], 0, [], []
    cache = {"hit": 0, "miss": 0}
    i = slot
    max_req = spec.get("max_requests", 10_000_000) // spec["concurrency"] + 1
    sent = 0
    while sent < max_req:
        now = time.perf_counter()
        if now >= t_end:
            break
        method, path, body = reqs[i % len(reqs)]
        i += 1
        h = dict(headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        status, text = 0, ""
        try:
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
            status = resp.status
            seen = resp.getheader("X-Linli-Page-Cache")
            if seen in cache and t0 >= t_measure:
                cache[seen] += 1
            if resp.will_close:
                conn.close()
            if status >= 400:
                text = raw[:300].decode("utf-8", "replace")
            elif spec.get("record_ids") and status == 201:
                acks.append((json.loads(raw)["id"], time.time()))
        except Exception as exc:  # no answer: the connection is reopened on the next request
            text = f"{type(exc).__name__}: {exc}"
            conn.close()
        t1 = time.perf_counter()
        sent += 1
        if t0 >= t_measure:
            lat.append((t1 - t0) * 1000)
            if not 200 <= status < 400:
                errors += 1
                if len(samples) < 5:
                    samples.append(f"{status} {method} {path}: {text}")
        elif not 200 <= status < 400 and spec.get("count_warmup_errors"):
            errors += 1
        if not 200 <= status < 400 and status == 0:
            time.sleep(0.05)  # server down (drills): do not spin
    conn.close()
    out[slot] = (lat, errors, samples, acks, cache, sent)


def run(spec: dict) -> dict:
    n = spec["concurrency"]
    t_start = time.perf_counter()
    t_measure = t_start + spec.get("warmup", 0)
    t_end = t_measure + spec["duration"]
    out: dict = {}
    threads = [
        threading.Thread(target=worker, args=(spec, s, t_start, t_measure, t_end, out))
        for s in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(spec["duration"] + spec.get("warmup", 0) + 120)
    measured = time.perf_counter() - t_measure
    lat = [x for v in out.values() for x in v[0]]
    samples = [x for v in out.values() for x in v[2]][:5]
    return {
        "requests": len(lat),
        "rps": round(len(lat) / min(measured, spec["duration"]), 1),
        "p50_ms": round(percentile(lat, 0.50), 1),
        "p95_ms": round(percentile(lat, 0.95), 1),
        "p99_ms": round(percentile(lat, 0.99), 1),
        "errors": sum(v[1] for v in out.values()),
        "error_samples": samples,
        "acks": [a for v in out.values() for a in v[3]] if spec.get("record_ids") else [],
        # Answers of the page cache (core/pagecache.py's X-Linli-Page-Cache header).
        "cache_hits": sum(v[4]["hit"] for v in out.values()),
        "cache_misses": sum(v[4]["miss"] for v in out.values()),
        # Every request sent, warm-up included (the server's CPU per request is read over both).
        "sent": sum(v[5] for v in out.values()),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))

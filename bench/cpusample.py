"""A sampling profiler on CPU time (``SIGPROF``): every ``interval`` seconds of this process's
CPU the stack is recorded, so time spent waiting (on Redis, on the database, on another
process holding the core) is never counted, and no function call is slowed down as under
cProfile (which inflates Python-heavy code such as a Redis client against C code such as
SQLite). ``report`` prints, for every function seen, the share of samples with it on the
stack (inclusive) and at the top (own), largest first. Used by ``bench.submit --sample``.
"""

from __future__ import annotations

import collections
import signal
import sys
from types import FrameType


class Sampler:
    def __init__(self, interval: float = 0.0005) -> None:
        self.interval = interval
        self.stacks: collections.Counter[tuple[str, ...]] = collections.Counter()

    def _tick(self, _sig: int, frame: FrameType | None) -> None:
        names: list[str] = []
        while frame is not None:
            code = frame.f_code
            names.append(f"{_short(code.co_filename)}:{code.co_firstlineno}({code.co_name})")
            frame = frame.f_back
        self.stacks[tuple(reversed(names))] += 1

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self._tick)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def report(self, calls: int, cpu: float, top: int = 80, out=sys.stdout) -> None:
        """``cpu``: the seconds of CPU the ``calls`` took (the samples' share of it)."""
        total = sum(self.stacks.values())
        inclusive: collections.Counter[str] = collections.Counter()
        own: collections.Counter[str] = collections.Counter()
        for stack, n in self.stacks.items():
            for name in set(stack):
                inclusive[name] += n
            if stack:
                own[stack[-1]] += n
        per_call = cpu * 1000 / max(calls, 1) / max(total, 1)
        print(
            f"{total} samples, {calls} calls, {cpu * 1000 / max(calls, 1):.2f} ms CPU a call",
            file=out,
        )
        print(f"{'incl %':>7} {'ms/call':>8} {'own %':>6}  function", file=out)
        for name, n in inclusive.most_common(top):
            print(
                f"{n * 100 / total:7.1f} {n * per_call:8.3f} {own[name] * 100 / total:6.1f}  {name}",
                file=out,
            )


def _short(path: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path

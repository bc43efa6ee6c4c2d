"""Load and scale benchmarks (``make bench``, ``make bench-quick``) and reliability drills
(``make drill``). Not part of ``make test``; see docs/performance.md and docs/reliability.md."""

# Linli — every target works from a fresh clone. One virtual environment: .venv/
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
WORKERS ?= 2
# The suite runs on two processes (pytest-xdist; each with its own test database).
PYTEST_ARGS ?= -n 2
# Re-install only when pyproject.toml changes.
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint mypy-baseline format messages messages-check install install-dev demo clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

run: $(STAMP)
	mkdir -p var
	$(VENV)/bin/linli compilemessages_py
	$(VENV)/bin/linli migrate --noinput
	$(VENV)/bin/linli demo --if-empty
	$(VENV)/bin/linli collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Linli is at http://127.0.0.1:$(PORT)/"
	@$(VENV)/bin/linli demo --logins
	@echo ""
	@# The job worker (reminders, notification delivery, digests) runs beside the web server
	@# and stops with it.
	$(VENV)/bin/linli run_huey --workers 2 --worker-type thread --quiet & HUEY_PID=$$!; \
	trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn linli.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips 127.0.0.1

test: $(DEV_STAMP)
	$(VENV)/bin/linli compilemessages_py
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# mypy: strict for core (and every new app, pyproject.toml); the rest is held to
# mypy-baseline.txt, which may only shrink: a new error fails, and so does a fixed one until
# `make mypy-baseline` records it.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline filter --hide-stats --no-colors

mypy-baseline: $(DEV_STAMP)
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline sync

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext). `messages-check` is the catalogue check alone (no untranslated
# or fuzzy entry, no string in the code missing from it); CI runs the same test in `make test`
# with LINLI_REQUIRE_GETTEXT=1, so it cannot be skipped there.
messages: $(DEV_STAMP)
	cd src/linli && ../../$(PY) ../../manage.py makemessages --locale zh_Hans --no-obsolete --no-location --ignore "migrations/*"
	$(VENV)/bin/linli compilemessages_py

messages-check: $(DEV_STAMP)
	LINLI_REQUIRE_GETTEXT=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/core/test_translations.py

demo: $(STAMP)
	$(VENV)/bin/linli compilemessages_py
	$(VENV)/bin/linli migrate --noinput
	$(VENV)/bin/linli demo

clean:
	rm -rf $(VENV) var build *.egg-info

# Load benchmarks and reliability drills (bench/; not part of `make test`). `bench` builds the
# district-scale data set once under var/bench/ (BENCH_TICKETS tickets, default 2,000,000);
# both also run on PostgreSQL when DATABASE_URL is set. See docs/performance.md, reliability.md.
.PHONY: bench-quick bench-import drill
bench: $(STAMP)
	PYTHONPATH=. $(PY) -m bench.run --scale district
	PYTHONPATH=. $(PY) -m bench.import_20k

# The registry import alone: 1,100 residents through the services (bench/importing.py), then
# 20,000 rows through the background commit with a concurrent writer (bench/import_20k.py).
bench-import: $(STAMP)
	PYTHONPATH=. $(PY) -m bench.importing
	PYTHONPATH=. $(PY) -m bench.import_20k

bench-quick: $(STAMP)
	PYTHONPATH=. BENCH_SECONDS=$${BENCH_SECONDS:-6} BENCH_WARMUP=$${BENCH_WARMUP:-2} \
		$(PY) -m bench.run --scale community

drill: $(STAMP)
	PYTHONPATH=. $(PY) -m bench.drill

# API fuzzing, deep: the same suite as in `make test` (tests/security/test_api_fuzz.py) with
# FUZZ_EXAMPLES examples per operation, persona and mode instead of a handful.
.PHONY: fuzz
fuzz: $(DEV_STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(VENV)/bin/pytest -p no:warnings tests/security/test_api_fuzz.py

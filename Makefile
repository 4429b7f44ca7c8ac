# Peken: `make run` serves the demo, `make test` runs every check on SQLite and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` needs Peken alone; the test and benchmark tools (browser driver, Locust, fuzzers)
# come with `make test`, `make lint` and `make bench`.
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-installed-stamp
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PORT ?= 8000
# `make run` is the demo: DEBUG on unless the caller says otherwise.
DEBUG ?= 1
export DEBUG
# `make run` serves with gunicorn (`peken serve`), as production does; `make run DEV=1` with
# Django's development server instead (reloads on code changes).
DEV ?= 0

.PHONY: install install-dev run test lint fuzz bench bench-surabaya messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PIP) -e ".[dev]"
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/peken migrate --noinput -v0
	$(BIN)/peken demo
	@echo "Peken: http://127.0.0.1:$(PORT)/  (API: /api/v1/docs, kantor belakang: /kelola/)"
	@echo "Pekerjaan latar (pesanan kedaluwarsa): var/worker.log"
	$(BIN)/peken worker --tick 15 > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	if [ "$(DEV)" = 1 ]; then $(BIN)/peken runserver 127.0.0.1:$(PORT); \
	else $(BIN)/peken serve --bind 127.0.0.1:$(PORT); fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/peken makemigrations --check --dry-run
	# No import runs up a layer; rules.py imports no Django (contracts in .importlinter).
	PYTHONPATH=src $(BIN)/lint-imports

test: lint
	bash scripts/test-both-databases.sh
	$(BIN)/python -m benchmarks --quick --output var/bench-quick.md

# Schemathesis over every API operation as every role on a scratch demo city: at least 5,000
# requests, exits non-zero on any server error. `FUZZ_ARGS="--database postgresql"` for PostgreSQL.
fuzz: $(DEV_STAMP)
	$(BIN)/python scripts/fuzz.py $(FUZZ_ARGS)

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks

# Over an hour on 2 cores: the three policies at Surabaya's scale; `make bench` shows the result.
bench-surabaya: $(STAMP)
	mkdir -p benchmarks
	$(BIN)/peken simulate --compare --seed 1 --database postgresql --json benchmarks/surabaya-compare.json

# After changing a translatable text: refresh the English catalogue, translate, then compile.
messages: $(DEV_STAMP)
	cd src/peken && DEBUG=1 ../../$(BIN)/peken makemessages -l en && \
	msgcat -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po && \
	DEBUG=1 ../../$(BIN)/peken compilemessages -l en

clean:
	rm -rf $(VENV) var

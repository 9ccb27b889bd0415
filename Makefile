# Two entry points: `make demo` and `make test`. Both create the virtual
# environment and install Agora into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo embeddemo test test-fast check lint install messages bench-load bench-crash bench-isso

# `make demo PORT=8080` serves elsewhere; the demo runs its own task worker.
PORT ?= 8000
demo: install
	$(BIN)/agora demo --port $(PORT)

# The cross-origin embed demo: a fictional publisher's site on port 8001 that
# shows Agora's comments; run it next to `make demo`.
embeddemo: install
	$(BIN)/agora embeddemo --port 8001

# The checks, then the whole suite; `make test-fast` leaves out the slow groups.
test: check install
	$(BIN)/pytest

# The checks and every test but the slow groups (browser, fuzzing, servers): a few
# minutes less, for the edit-test loop. CI runs `make test`.
test-fast: check install
	$(BIN)/pytest -m "not slow"

# Style, the apps' layering (import contracts in pyproject.toml) and types.
check: install
	$(BIN)/ruff check agora tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

lint: install
	$(BIN)/ruff check agora tests bench scripts
	$(BIN)/ruff format --check agora tests bench scripts

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,production]'
	# A peer for `agora evaluate` only; it pins an older scikit-learn than its own model needs.
	$(BIN)/pip install --quiet --no-deps 'arabic-toxic==0.2.3'
	touch $@

# Server benchmarks (loopback only, each bounded; see docs/production.md).
# Set BENCH_DATABASE_URL=postgres://user:password@127.0.0.1:5432/db to add the
# PostgreSQL runs with 4 workers.
bench-load: install
	$(BIN)/python bench/load_test.py
	$(if $(BENCH_DATABASE_URL),$(BIN)/python bench/load_test.py --workers 4 --database-url $(BENCH_DATABASE_URL))

bench-crash: install
	$(BIN)/python bench/crash_test.py
	$(if $(BENCH_DATABASE_URL),$(BIN)/python bench/crash_test.py --workers 4 --database-url $(BENCH_DATABASE_URL))

bench-isso: install
	$(BIN)/python bench/isso_compare.py

# Refresh the translation catalogues from the code, then compile them. The .mo
# files are committed, so installing Agora never needs gettext.
LANGS = ckb kmr ar tr fa
messages: install
	$(BIN)/agora makemessages $(addprefix -l ,$(LANGS)) --add-location=file --no-obsolete \
		-i tests -i bench -i scripts -i var -i build -i agora/guidelines
	$(BIN)/agora compilemessages $(addprefix -l ,$(LANGS)) -i .venv

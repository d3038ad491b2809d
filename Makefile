# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test test-sqlite test-postgres lint train bench migration clean

$(BIN)/yuqing: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: $(BIN)/yuqing
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/yuqing
	$(BIN)/yuqing demo

# The whole suite: each test that reaches the database runs on SQLite and on PostgreSQL
# (127.0.0.1:5432, database `test`, or YUQING_TEST_DATABASE_URL), in one pytest session.
# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): otherwise
# every worker and every child process compiles the code again, and pytest rewrites the asserts of
# every test module and plugin package again (about half of the collection's CPU time).
# Three workers on this 2-core machine: a worker waiting on chromium, a child process or a
# receiver leaves its core to the third (measured: 2 workers left the machine 16 % idle), and
# work stealing keeps one slow worker from finishing alone.
test: $(VENV)/.dev
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/soffice ] || [ ! -x /usr/bin/pdftoppm ] \
	  || ! fc-list :lang=zh 2>/dev/null | grep -q . ; then \
	  [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk \
	    libreoffice-writer-nogui poppler-utils >/dev/null; fi
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= YUQING_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 3 --dist worksteal -q

# One database only (no PostgreSQL server at hand, or chasing a dialect difference):
test-sqlite: $(VENV)/.dev
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 3 --dist worksteal -q -m "not postgresql"

test-postgres: $(VENV)/.dev
	PYTHONDONTWRITEBYTECODE= YUQING_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n 3 --dist worksteal -q -m "not sqlite"

lint: $(VENV)/.dev
	$(BIN)/ruff check .

train: $(BIN)/yuqing
	$(BIN)/yuqing train

bench: $(VENV)/.dev
	$(BIN)/python bench/crawl_bench.py
	$(BIN)/python bench/analysis_bench.py
	$(BIN)/python bench/alerts_bench.py
	$(BIN)/python bench/reports_bench.py

# Regenerates the initial migration from the models (allowed until the first production deployment).
migration: $(BIN)/yuqing
	$(BIN)/python -m yuqing.store.regen_migration

clean:
	rm -rf $(VENV) var/*.db

# Causal Canvas: `make run` opens the app, `make test` runs every test layer.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench lint clean browser postgres

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	@echo ""
	@echo "  Causal Canvas is starting. Open  http://localhost:$(PORT)  in your browser."
	@echo "  (Another port: make run PORT=8600.  Stop: Ctrl+C.)"
	@echo ""
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

# Debian's chromium for the browser tests (installed when missing and running as root).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium missing and not root; browser tests will be skipped (required under CI=true)"; fi; \
	fi

# PostgreSQL server binaries for the store tests (each test starts its own throwaway server).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "note: PostgreSQL server binaries missing; PostgreSQL tests skip (required under CI=true)"; fi; \
	fi

test: $(STAMP) browser postgres
	$(PY) -m pytest -q tests

test-fast: $(STAMP)
	$(PY) -m pytest -q tests -m "not e2e and not slow"

bench: $(STAMP)
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check app pages components tests benchmarks streamlit_app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/e2e/artifacts benchmarks/results

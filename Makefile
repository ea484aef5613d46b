# The two commands of the contract: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.installed
ASSETS := static/node_modules/.package-lock.json

.PHONY: venv run test lint bench demo check clean

venv: $(STAMP) $(ASSETS)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null
	$(PY) -m pip install -q --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install -q -p $(PY) -r requirements-dev.txt
	touch $@

# Leaflet and its fullscreen control come from npm (pinned by the lock file) and are served by the app itself.
$(ASSETS): static/package.json static/package-lock.json
	@command -v npm >/dev/null || { echo "npm est requis pour installer Leaflet (static/package.json)."; exit 1; }
	npm ci --prefix static --ignore-scripts --no-audit --no-fund --silent
	touch $@

run: venv
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

lint: venv
	$(VENV)/bin/ruff check .

# With PostgreSQL 15 installed, the store's tests run on it too, in a throw-away cluster (tools/test-postgres.sh).
PGBIN ?= /usr/lib/postgresql/15/bin
test: venv lint
	if [ -x $(PGBIN)/initdb ]; then PGBIN=$(PGBIN) tools/test-postgres.sh $(PY) -m pytest; else $(PY) -m pytest; fi

# The naive baseline (GeoDataFrame.explore) needs matplotlib and mapclassify, which the app does not.
bench: venv
	$(VENV)/bin/uv pip install -q -p $(PY) -r bench/requirements.txt
	$(PY) -m bench

demo: venv
	$(PY) -m geo demo --out data/demo

check: venv
	$(PY) -m geo check data/demo

clean:
	rm -rf $(VENV) static/node_modules .pytest_cache .ruff_cache

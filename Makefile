# The two commands of the contract: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.installed
ADDOK_VENV := .venv-addok
ADDOK_STAMP := $(ADDOK_VENV)/.installed
ASSETS := static/node_modules/.package-lock.json

.PHONY: venv addok-venv run serve test test-fast system-deps lint bench load demo check clean

venv: $(STAMP) $(ASSETS)

# Bytecode compiled at install (uv does not by default): else the first `make run` spends seconds compiling the
# libraries' modules before the first page (issue 20), and every start does where bytecode is not written.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null
	$(PY) -m pip install -q --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install -q -p $(PY) --compile-bytecode -r requirements-dev.txt
	$(VENV)/bin/uv pip install -q -p $(PY) --no-deps -e .
	touch $@

# The local BAN geocoder of the tests and the bench (tools/test-addok.sh) in its own environment, so that addok's
# pinned dependencies never mix with the app's. python-geohash is built from source (a C compiler is needed).
addok-venv: $(ADDOK_STAMP)

$(ADDOK_STAMP): requirements-addok.txt | $(STAMP)
	test -x $(ADDOK_VENV)/bin/python || $(PYTHON) -m venv $(ADDOK_VENV)
	$(VENV)/bin/uv pip install -q -p $(ADDOK_VENV)/bin/python -r requirements-addok.txt
	touch $@

# Leaflet and its fullscreen control come from npm (pinned by the lock file) and are served by the app itself.
$(ASSETS): static/package.json static/package-lock.json
	@$(PYTHON) -m tools.system_deps npm "make $(or $(MAKECMDGOALS),venv)"
	npm ci --prefix static --ignore-scripts --no-audit --no-fund --silent
	touch $@

run: venv
	$(VENV)/bin/streamlit run server.py --server.port $(PORT)

# K Streamlit processes behind HAProxy with cookie-sticky sessions (README, « Déploiement »).
K ?= $(shell nproc)
serve: venv
	tools/serve-multi.sh $(K) $(PORT)

lint: venv
	$(VENV)/bin/ruff check .

# Chromium, PostgreSQL 15 and Redis first: without them (and without the rights to install them) the tests stop at
# once with one sentence. The store's tests run on SQLite and on a throw-away PostgreSQL cluster
# (tools/test-postgres.sh), the geocoder's against a throw-away local addok (tools/test-addok.sh).
test: system-deps venv addok-venv lint
	tools/test-postgres.sh tools/test-addok.sh $(PY) -m pytest

# The contributors' inner loop: every test but the browser ones (marked `browser`), on both engines and the local
# addok like `make test`, which (and CI) still runs everything.
test-fast: system-deps venv addok-venv lint
	tools/test-postgres.sh tools/test-addok.sh $(PY) -m pytest -m "not browser"

# Debian's Chromium (browser tests), PostgreSQL 15 (store tests) and redis-server (geocoder tests), installed with
# apt-get as root or with passwordless sudo.
system-deps:
	@$(PYTHON) -m tools.system_deps chromium "make test"
	@$(PYTHON) -m tools.system_deps postgresql-15 "make test"
	@$(PYTHON) -m tools.system_deps redis-server "make test"

# The naive baseline (GeoDataFrame.explore) needs matplotlib and mapclassify, which the app does not; the geocoding
# measure starts the local addok (tools/test-addok.sh).
bench: venv addok-venv
	$(VENV)/bin/uv pip install -q -p $(PY) -r bench/requirements.txt
	$(PY) -m bench

# N sessions opening a page at once over the websocket, then a filter change (bench/README.md, « Charge »).
# Loopback only, N ≤ 200, stops after LOAD_TIMEOUT s; URL=http://127.0.0.1:PORT targets a running server
# (PIDS="…" its processes, for their memory).
N ?= 50
LOAD_TIMEOUT ?= 600
load: venv
	$(PY) -m bench.load --sessions $(N) --timeout $(LOAD_TIMEOUT) $(if $(URL),--url $(URL)) $(foreach p,$(PIDS),--pid $(p))

demo: venv
	$(PY) -m geo demo --out data/demo

check: venv
	$(PY) -m geo check data/demo

clean:
	rm -rf $(VENV) $(ADDOK_VENV) static/node_modules .pytest_cache .ruff_cache

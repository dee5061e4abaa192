# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv from
# the project's own files (pyproject.toml + requirements.lock).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install browser demo serve test check test-fast lint format bench lock docs clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# The headline metrics: the seed's starter dashboard, for the demo's last full year.
DASHBOARD := -m lead_conversion_rate -m average_deal_size -m win_rate -m quota_attainment_rate \
             -m revenue_growth -m pipeline_coverage -m customer_retention_rate -m mrr

# The review pack of the demo's last full quarter (its data end on 2025-12-31).
REVIEW := 2025-Q4

# The web app: make demo adds an admin with a generated password (demo/ADMIN.txt), prints the
# login and serves the dashboard until Ctrl-C (SERVE=0: build and print only).
DEMO_ADMIN := admin@demo.example
PORT ?= 8000
DEMO_URL = http://localhost:$(PORT)/
SERVE ?= 1

demo: install
	$(BIN)/salesmetrics demo --scale small --seed 7 --workspace demo --replace
	$(BIN)/salesmetrics metrics $(DASHBOARD) --period 2025 --grain quarter --workspace demo
	$(BIN)/salesmetrics report --cadence quarterly --period $(REVIEW) --workspace demo \
	    --out demo/review-$(REVIEW).html
	$(BIN)/salesmetrics report --cadence quarterly --period $(REVIEW) --workspace demo \
	    --out demo/review-$(REVIEW).pdf
	@umask 077; password=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	  printf '%s\n' "$$password" | $(BIN)/salesmetrics user add $(DEMO_ADMIN) --role admin \
	    --password-stdin --workspace demo --quiet && \
	  printf 'DEMO ONLY - the demo workspace'"'"'s admin (a new password each make demo)\nURL: %s\nlogin: %s\npassword: %s\n' \
	    '$(DEMO_URL)' '$(DEMO_ADMIN)' "$$password" > demo/ADMIN.txt
	@echo; cat demo/ADMIN.txt; echo "(also in demo/ADMIN.txt)"; echo
	@if [ "$(SERVE)" = 1 ]; then $(BIN)/salesmetrics serve --workspace demo --port $(PORT); fi

# The web app of the demo workspace (make demo ends with it; make demo SERVE=0 does not).
serve: install
	$(BIN)/salesmetrics serve --workspace demo --port $(PORT)

# The browser tier's browser (tests/browser.py): Debian's Chromium, installed with apt when it
# is missing (Playwright's own browser download cannot reach its servers here). make test needs
# it; make check does not (the browser tests are slow-marked).
CHROMIUM := $(or $(SALESMETRICS_TEST_CHROMIUM),/usr/bin/chromium)
APT ?= $(if $(filter 0,$(shell id -u)),,sudo -n) env DEBIAN_FRONTEND=noninteractive apt-get

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "make browser: installing Debian's chromium for the browser tests (apt-get)"; \
	  { $(APT) install -y -qq chromium >/dev/null || \
	    { $(APT) update -qq && $(APT) install -y -qq chromium >/dev/null; }; } || \
	  { echo "make browser: apt-get install chromium failed; install Debian's chromium as root" \
	      "(the browser tests need $(CHROMIUM))" >&2; exit 1; }; \
	  [ -x "$(CHROMIUM)" ] || { echo "make browser: no $(CHROMIUM) after the install" >&2; exit 1; }; \
	fi

# The suite on every core (pytest-xdist, a module at a time, the Spark files on one worker: see
# tests/scheduling.py). `make test` runs everything, PostgreSQL, Spark and the browser included
# (docs/testing.md), and prints its 25 slowest tests: where the gate's time goes, run by run.
XDIST := -n auto

test: install lint browser
	$(BIN)/pytest $(XDIST) --durations=25

# While working: lint, types and the fast tier (everything not marked slow).
check: lint test-fast

test-fast: install
	$(BIN)/pytest -m "not slow" $(XDIST)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install
	$(BIN)/python -m bench

docs: install
	$(BIN)/python -m salesmetrics.docs

# Re-resolve the pinned versions after changing pyproject.toml.
lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark --quiet -o requirements.lock

clean:
	rm -rf $(VENV) demo .cache .pytest_cache .mypy_cache .ruff_cache

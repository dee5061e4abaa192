# Two commands for a newcomer: `make demo` and `make test`. Everything installs into .venv from
# the project's own files (pyproject.toml + requirements.lock).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint format bench lock docs clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# The headline metrics: the seed's starter dashboard, for the demo's last full year.
DASHBOARD := -m lead_conversion_rate -m average_deal_size -m win_rate -m quota_attainment_rate \
             -m revenue_growth -m pipeline_coverage -m customer_retention_rate -m mrr

demo: install
	$(BIN)/salesmetrics demo --scale small --seed 7 --workspace demo --replace
	$(BIN)/salesmetrics metrics $(DASHBOARD) --period 2025 --grain quarter --workspace demo

test: install lint
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow"

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
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache

# Two entry points for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: install run lint fmt test bench clean
install: $(STAMP)

run: $(STAMP)
	$(BIN)/ordertide run

# What CI enforces before any test runs: lint, format, types, layer contracts.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Fixes what the linter and the formatter can fix by themselves.
fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One pytest process per core, each with its own dev server: most tests wait
# on servers and timers, so two processes on two cores halve the wall time.
test: lint
	$(BIN)/pytest -n auto --dist worksteal

bench: $(STAMP)
	$(BIN)/ordertide bench all

clean:
	rm -rf $(VENV) .ordertide .pytest_cache .mypy_cache .ruff_cache

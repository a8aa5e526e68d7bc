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

.PHONY: install run test bench clean
install: $(STAMP)

run: $(STAMP)
	$(BIN)/ordertide run

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/ordertide bench all

clean:
	rm -rf $(VENV) .ordertide .pytest_cache

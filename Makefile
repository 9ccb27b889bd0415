# Two entry points: `make demo` and `make test`. Both create the virtual
# environment and install Agora into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test lint install

demo: install
	$(BIN)/agora migrate --no-input
	$(BIN)/agora loaddemo
	$(BIN)/agora runserver 127.0.0.1:8000

test: install
	$(BIN)/ruff check agora tests bench scripts
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check agora tests bench scripts
	$(BIN)/ruff format --check agora tests bench scripts

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,production]'
	touch $@

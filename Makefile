# Two commands for a fresh machine (Python 3.11, no conda):
#   make report   install into .venv when missing, then the full report on the demo city
#   make test     install into .venv when missing, then the tests
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test simulate install clean-venv

report: $(STAMP)
	$(BIN)/workbench run

simulate: $(STAMP)
	$(BIN)/workbench simulate

test: $(STAMP)
	$(BIN)/python -m pytest

install: $(STAMP)

# torch first, pinned to the CPU wheel: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)

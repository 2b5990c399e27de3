# Two commands for a fresh machine (Python 3.11, no conda):
#   make report   install into .venv when missing, then the full report on the demo city
#   make test     install into .venv when missing, then the tests
# and, while building:
#   make test-fast  the tests not marked slow (units, doctests, small fixtures): about a minute
# and, optional, for a workshop:
#   make serve    the constraint dashboard on http://127.0.0.1:8866 (Voilà)
# and, after editing a notebook or its .py twin outside JupyterLab:
#   make notebooks  sync each notebook with its percent script (jupytext)
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test test-fast simulate serve notebooks install chromium clean-venv

report: $(STAMP)
	$(BIN)/workbench run

simulate: $(STAMP)
	$(BIN)/workbench simulate

serve: $(STAMP)
	$(BIN)/workbench serve

# each notebook and its percent script (jupytext pairs): the newer file of each pair wins
notebooks: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.ipynb notebooks/*.py

# -n auto: one pytest worker per core (pytest-xdist); --dist loadgroup keeps the tests of the
# shared toy report on one worker, so that report is made once; then, alone, the tests marked
# serial (they measure a served dashboard under load, which a second worker would disturb)
test: $(STAMP) chromium
	$(BIN)/python -m pytest -n auto --dist loadgroup -m "not serial"
	$(BIN)/python -m pytest -m serial

# no notebook run, no browser, no model fit: what a one-line change needs first
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto

# the browser tests drive Debian's chromium; installed here where missing and allowed (root),
# else they are skipped with the reason
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  echo "make test: installing Debian's chromium (apt-get, once) for the browser tests" && \
	  { apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
	  echo "chromium could not be installed: the browser tests will be skipped"

install: $(STAMP)

# torch first, pinned to the CPU wheel: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@echo "installing into $(VENV): torch 2.13.0 (CPU wheel) first, then the workbench and its" \
	  "dependencies (JupyterLab, PyMC, HoloViews, papermill, ...); about 1.5 min on a 2-core machine"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)

# Logbook: `make lab` starts JupyterLab with Logbook, `make test` runs every test.
# Both install into .venv first (torch pinned to the CPU build 2.13.0).

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TL3_VENV := .venv-tl3
TL3_STAMP := $(TL3_VENV)/.installed
TORCH := torch==2.13.0
DEMO ?= logbook/demo/copying_heads.ipynb
PORT ?= 8888

.PHONY: install browser lab test test-tl3 bench clean

$(STAMP): pyproject.toml
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)" "transformer-lens==4.3.0" -e ".[lab,demo,test]"
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=$(CURDIR) --allow-root $(DEMO)

# Debian's Chromium for the browser tests (needs root or sudo the first time).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(PY) -m pytest
	$(MAKE) test-tl3

# The TransformerLens tests again, on transformer-lens 3.9 (HookedTransformer).
$(TL3_STAMP): pyproject.toml
	$(PYTHON3) -m venv $(TL3_VENV)
	$(TL3_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TL3_VENV)/bin/python -m pip install --quiet "$(TORCH)" "transformer-lens==3.9.0" -e ".[test]"
	touch $(TL3_STAMP)

test-tl3: $(TL3_STAMP)
	$(TL3_VENV)/bin/python -m pytest tests/test_transformer_lens.py

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) $(TL3_VENV) build dist .pytest_cache

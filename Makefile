# FactoryVerse: `make demo` runs the main job on the embedded engine; `make test` runs the whole suite.
# Both set up everything they need on a fresh machine (a virtualenv from PyPI, Debian packages for browser tests).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test venv system-deps prototypes clean api-members lua-schema

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# The base game's prototype data is extracted once from draftsman's data stage and cached (about a second).
prototypes: $(STAMP)
	$(PY) -c "from factoryverse.engine.prototypes import load_prototypes; load_prototypes()"

# Headless Chromium for the dashboard's browser test (Debian's package; nothing downloads a browser at run time).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "warning: could not install chromium; browser tests will be skipped"; \
		else echo "warning: chromium missing and not root; browser tests will be skipped"; fi; \
	fi

demo: prototypes
	$(PY) -m factoryverse.cli demo

test: prototypes system-deps
	$(PY) -m pytest -q -p no:cacheprovider

# Regenerate committed data (needs npm for typed-factorio).
api-members: $(STAMP)
	$(PY) tools/gen_api_members.py --out src/factoryverse/engine/data/api_members.json

lua-schema: $(STAMP)
	$(PY) tools/gen_lua_schema.py

clean:
	rm -rf $(VENV) build *.egg-info

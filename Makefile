# keepline: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: demo test lint venv docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	KEEPLINE_HOME=$${KEEPLINE_HOME:-$(CURDIR)/out/home} $(BIN)/keepline plant load examples/xuzhou-qpcr.yaml examples/zhengzhou-meters.yaml
	KEEPLINE_HOME=$${KEEPLINE_HOME:-$(CURDIR)/out/home} bash scripts/demo.sh

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: venv lint
	$(BIN)/pytest -q -n auto --dist loadfile  # one process per core; a test file stays on one

docs: venv
	$(PY) -m keepline.plant.docs > docs/plant-file.md
	$(PY) -m keepline.plant.docs --json-schema > docs/plant-file.schema.json
	$(PY) -m keepline.plans.docs > docs/plans.md
	$(PY) -m keepline.plans.docs --json-schema > docs/plan-file.schema.json
	$(PY) -m keepline.filedocs > docs/import-files.md

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

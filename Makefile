# HMS Staff Assistant. The two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
export RASA_TELEMETRY_ENABLED := false
# byte-code caches (gitignored) let every test worker and server process start without
# recompiling the tree, and keep pytest's rewritten test modules between runs
unexport PYTHONDONTWRITEBYTECODE
# tests' throwaway files (SQLite stores, tmp_path) go to a RAM disk when the machine has one
# with room (no disk flush on every commit); pytest keeps only the last run's directories
TEST_TMP := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR==2 && $$4 > 2097152 {print "/dev/shm"}')
TEST_ENV := $(if $(TEST_TMP),TMPDIR=$(TEST_TMP))
TEST_OPTS := -o tmp_path_retention_count=1

.PHONY: demo test unit setup system-deps train model lookups lint bench clean

## demo: set up on first run, then start the whole stack on its embedded default
demo: setup model
	$(PY) -m assistant stack

## test: set up on first run, then run the whole suite
test: setup system-deps model
	$(TEST_ENV) $(PY) -m pytest $(TEST_OPTS) $(PYTEST_ARGS)

## unit: every test that needs no server and no Rasa (stack, redis, postgres, browser, attacker,
## rasa markers), on all cores
UNIT_MARKERS := not stack and not redis and not postgres and not browser and not attacker and not rasa and not servers
unit: setup
	$(TEST_ENV) $(PY) -m pytest -q -n auto -m "$(UNIT_MARKERS)" $(TEST_OPTS) $(PYTEST_ARGS)

setup:
	bash scripts/setup.sh all

system-deps:
	bash scripts/system-deps.sh

## model: train the Rasa model unless one for the current data and config exists
model: setup
	bash scripts/train.sh

train: model

## lookups: regenerate training_data/nlu/directory.yml from the HMS directory (demo seed)
lookups: setup
	$(PY) scripts/gen_lookups.py --from-seed

lint: setup
	bash scripts/lint.sh

bench: setup model
	$(PY) -m bench

clean:
	rm -rf var models .rasa

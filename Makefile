# HMS Staff Assistant. The two commands of the quick start are `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test unit setup system-deps train model lookups lint bench clean

## demo: set up on first run, then start the whole stack on its embedded default
demo: setup model
	$(PY) -m assistant stack

## test: set up on first run, then run the whole suite
test: setup system-deps model
	$(PY) -m pytest $(PYTEST_ARGS)

## unit: every test that needs no server and no Rasa (stack, redis, postgres, browser, attacker,
## rasa markers), on all cores
UNIT_MARKERS := not stack and not redis and not postgres and not browser and not attacker and not rasa and not servers
unit: setup
	$(PY) -m pytest -q -n auto -m "$(UNIT_MARKERS)" $(PYTEST_ARGS)

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

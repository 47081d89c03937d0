# The two commands of the README: `make pdf` (sets up on first run, then
# builds the default issue) and `make test`.
PY := .venv/bin/python

.PHONY: pdf test setup check proof serve

pdf: setup
	$(PY) build.py pdf

# On every core (pytest-xdist, each test handed to the next free worker): tests/conftest.py
# shares the sample issues' builds between the workers. The ten slowest tests are named at the end.
test: setup
	$(PY) -m pytest -n auto --durations=10

check: setup
	$(PY) build.py check

setup:
	@bash tools/setup.sh

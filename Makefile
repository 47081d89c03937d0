# The two commands of the README: `make pdf` (sets up on first run, then
# builds the default issue) and `make test`.
PY := .venv/bin/python

.PHONY: pdf test setup check proof serve

pdf: setup
	$(PY) build.py pdf

# On every core (pytest-xdist): tests/conftest.py shares the sample issues' builds between the
# workers, and loadgroup keeps the tests of one browser on one worker.
test: setup
	$(PY) -m pytest -n auto --dist loadgroup

check: setup
	$(PY) build.py check

setup:
	@bash tools/setup.sh

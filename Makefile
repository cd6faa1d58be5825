# The two commands of the README. Both set everything up first (scripts/setup.sh).
AS_OF ?=
PYTEST_ARGS ?=

.PHONY: setup demo test bench
setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/python -m monitor demo $(if $(AS_OF),--as-of $(AS_OF))

test: setup
	.venv/bin/python -m pytest $(PYTEST_ARGS)

# The performance suite (bench/README.md): the province's sweep against its floors, judgement and report as
# history grows. Larger: make bench SWEEP_ARGS="--units 2000" HISTORY_ARGS="--units 2000".
SWEEP_ARGS ?=
HISTORY_ARGS ?= --units 50
bench: setup
	.venv/bin/pip install -q --disable-pip-version-check -e '.[bench]'
	.venv/bin/python bench/bench_sweep.py $(SWEEP_ARGS)
	.venv/bin/python bench/bench_history.py $(HISTORY_ARGS)

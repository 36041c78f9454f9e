# hjepa: the commands in README.md. Each sets itself up on a fresh machine (virtualenv, pinned install, data).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hjepa-installed
DATA_DIR := /usr/share/datasets/fashion-mnist

.PHONY: install data docs-deps train test nbdev-test docs-check docs preview export clean-nbs check-clean

## install: create .venv if missing and install hjepa with pinned versions (constraints.txt)
$(STAMP): settings.ini setup.py constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)
install: $(STAMP)

## data: Debian's Fashion-MNIST where apt exists and it is missing (the tests also run without it)
data:
	@if [ -d $(DATA_DIR) ]; then echo "data: $(DATA_DIR) present"; \
	elif command -v apt-get >/dev/null; then \
	  S=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  ($$S apt-get update -qq && $$S apt-get install -y -qq dataset-fashion-mnist) \
	  || echo "data: could not install dataset-fashion-mnist; the bundled subset will be used"; \
	else echo "data: no apt-get; set HJEPA_DATA or use the bundled subset"; fi

## docs-deps: Debian's MathJax 2 (libjs-mathjax: the offline docs typeset their maths with it, nothing is fetched)
## and Chromium (tests/test_docs.py opens every page in it, headless), installed with apt where missing
DOCS_DEBS := libjs-mathjax chromium
docs-deps:
	@if [ -f /usr/share/javascript/mathjax/MathJax.js ] && command -v chromium >/dev/null; then echo "docs-deps: MathJax and chromium present"; \
	elif command -v apt-get >/dev/null; then \
	  S=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  ($$S apt-get update -qq && $$S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DOCS_DEBS)) \
	  || echo "docs-deps: could not install $(DOCS_DEBS); the docs check needs MathJax, the docs test chromium"; \
	else echo "docs-deps: no apt-get; the docs check needs MathJax 2 in /usr/share/javascript/mathjax, the docs test chromium"; fi

## train: the main job. Set up, train configs/fmnist_tiny.yaml (Fashion-MNIST, H-JEPA; about 15 to 35 minutes on 2 CPU
## cores, by the CPU), then print k-NN and linear-probe accuracy next to raw pixels. Run it again to resume;
## on a finished run it prints the stored result (eval.json). Extra settings: make train ARGS="max_steps=300 out_dir=runs/short"
train: install data
	$(BIN)/hjepa_train --config configs/fmnist_tiny.yaml $(ARGS)

## test: the whole test suite (every notebook through nbdev_test, plus the offline docs check and its pages in Chromium);
## it ends with where the time went: the 15 slowest tests, then every notebook's seconds
test: install data docs-deps
	$(BIN)/python -m pytest tests -v --durations=15

## nbdev-test: nbdev's own runner over all notebooks
nbdev-test: install
	$(BIN)/nbdev_test --n_workers 1

## docs-check: offline docs check (nbdev doc processing + HTML in _docs/, as Quarto would publish it), no Quarto needed
docs-check: install docs-deps
	$(BIN)/python tests/docs_check.py

## docs / preview: the real site; need Quarto (https://quarto.org) on PATH
docs: install
	$(BIN)/nbdev_docs
preview: install
	$(BIN)/nbdev_preview

## export / clean-nbs: regenerate hjepa/ from nbs/, strip notebook metadata
export: install
	$(BIN)/nbdev_export
clean-nbs: install
	$(BIN)/nbdev_clean

## check-clean: fail if nbdev_export or nbdev_clean would change a committed file (CI)
check-clean: install
	$(BIN)/nbdev_export
	@if [ -n "$$(git status --porcelain -- hjepa)" ]; then echo "nbdev_export changed hjepa/ (run nbdev_export and commit):"; git status --porcelain -- hjepa; git diff --stat -- hjepa; exit 1; fi
	$(BIN)/nbdev_clean
	@if [ -n "$$(git status --porcelain -- nbs)" ]; then echo "nbdev_clean changed nbs/ (run nbdev_clean and commit):"; git status --porcelain -- nbs; git diff --stat -- nbs; exit 1; fi
	@echo "check-clean: nbdev_export and nbdev_clean leave no diff"

# qfin-docs: `make` installs what is missing, then builds every release; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := all
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QFIN := $(BIN)/qfin-docs
# Debian packages the PDF stage and its tests need (see README).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
# What the tests need besides: a real browser (the served viewer, pages at phone and desktop widths).
TEST_APT_PACKAGES := chromium
RELEASES := $(patsubst releases/%/release.yaml,%,$(wildcard releases/*/release.yaml))
SOURCES := $(shell find qfin_docs -name '*.py' 2>/dev/null) $(wildcard schema/*) $(shell find templates -type f 2>/dev/null)
export SOURCE_DATE_EPOCH ?= 1723507200
# make DRAFT=1 [build|check|validate|viewer|serve]: work on releases as drafts (--draft): placeholders and carried
# items are open items, and a command's exit status 4 ("a draft, not final") is accepted.  Without DRAFT, a release
# whose release.yaml says status: draft stops make (exit 4): a draft never passes for final.
DRAFT_FLAG := $(if $(DRAFT),--draft)
define qfin
$(QFIN) $(1) $(DRAFT_FLAG) || { rc=$$?; [ -n "$(DRAFT)" ] && [ $$rc = 4 ] || exit $$rc; }
endef

.PHONY: all deps build test check validate viewer serve new-quarter fuzz bench filings yardstick catalog-check clean distclean
all: build

deps: $(VENV)/.installed $(VENV)/.system

# System packages: installed when running as root and missing; otherwise we say what is needed.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "error: missing system packages: $$missing (run 'sudo make deps' or apt-get install them)" >&2; exit 1; fi; \
	fi
	@touch $@
endef

$(VENV)/.system: | $(VENV)/.installed
	$(call apt_install,$(APT_PACKAGES))

$(VENV)/.system-test: | $(VENV)/.system
	$(call apt_install,$(TEST_APT_PACKAGES))

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $@

build: $(foreach r,$(RELEASES),build/$(r)/.built)

# Each release depends only on its own files (make -j builds releases side by side).
.SECONDEXPANSION:
build/%/.built: releases/%/release.yaml $$(wildcard releases/$$*/facts/*) $$(wildcard releases/$$*/prose/*) $(SOURCES) | deps
	@$(call qfin,build releases/$* --out build/$*)
	@touch $@

check: build
	@set -e; for r in $(RELEASES); do $(call qfin,check releases/$$r --out build/$$r); done

validate: build
	@set -e; for r in $(RELEASES); do $(call qfin,validate releases/$$r --out build/$$r); done

viewer: build
	@set -e; for r in $(RELEASES); do $(call qfin,viewer releases/$$r --out build/$$r); done

test: deps $(VENV)/.system-test
	$(BIN)/python -m pytest -q -n auto --dist worksteal

# make serve [RELEASE=qfin-2024q2] [PORT=8000]: a live preview on 127.0.0.1 (Ctrl-C stops it)
serve: deps
	$(QFIN) serve $(if $(RELEASE),releases/$(RELEASE),$(firstword $(patsubst %,releases/%,$(RELEASES)))) $(if $(PORT),--port $(PORT)) $(DRAFT_FLAG)

fuzz: deps
	QFIN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q tests/test_fuzz.py -p no:cacheprovider

bench: build
	$(BIN)/python benchmarks/bench.py

# make catalog-check EDGAR_DATA=folder: schema/standard-elements.yaml against EDGAR's lists (maintenance; the
# lists are third-party files kept outside the repository, in a folder beside the clone)
catalog-check: deps
	@test -n "$(EDGAR_DATA)" || { echo "usage: make catalog-check EDGAR_DATA=<folder of EDGAR's lists>" >&2; exit 2; }
	$(QFIN) catalog-check --edgar-data $(EDGAR_DATA)

# make filings FILINGS=folder: tie out every Inline XBRL filing of a folder (the project ships none)
filings: deps
	@test -n "$(FILINGS)" || { echo "usage: make filings FILINGS=<folder of Inline XBRL filings>" >&2; exit 2; }
	$(BIN)/python benchmarks/filings.py $(FILINGS) --jobs $(or $(JOBS),2)

# make yardstick FILINGS=folder: blind re-identification and planted mistakes (the held-out filings apart)
yardstick: deps
	@test -n "$(FILINGS)" || { echo "usage: make yardstick FILINGS=<folder of Inline XBRL filings>" >&2; exit 2; }
	$(BIN)/python benchmarks/yardstick.py $(FILINGS) --plants $(or $(PLANTS),25) --jobs $(or $(JOBS),2)

# make new-quarter FROM=qfin-2024q2 TO=qfin-2024q3: start the next quarter's release (see README)
new-quarter: deps
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make new-quarter FROM=<release> TO=<new release>" >&2; exit 2; }
	$(QFIN) new-quarter releases/$(FROM) releases/$(TO)

clean:
	rm -rf build .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV) *.egg-info

# colorcom top-level Makefile.  The two commands a newcomer needs: `make lab`, `make test`.
# Sub-directories own their build; this file only sequences them.

# Kernel the guest module is built for: the newest installed Debian amd64 headers,
# found at run time, never hard-coded.
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's,.*/linux-headers-,,' | sort -V | tail -n1)
export KVER

SUBDIRS := front back toolstack tests/unit tests/lab/helpers

LAB_PARTS := front back toolstack tests/lab/helpers

.PHONY: all deps build lab-build test unit lab bench bench-ring clean $(SUBDIRS) install

all: build

deps:
	@./tests/deps.sh

build: $(SUBDIRS)

# What the lab images need (tests/lab/run builds only this).
lab-build: $(LAB_PARTS)

$(SUBDIRS):
	@if [ -f $@/Makefile ]; then $(MAKE) -C $@; fi

# Unit tests, fuzz smoke, then the lab scenarios; last line: "N passed, N failed".
test: deps build
	@./tests/run-all

unit: build
	@./tests/run-all --unit-only

lab: deps build
	@./tests/lab/lab-main

bench-ring: build
	@$(MAKE) -C bench ring

bench: deps build
	@$(MAKE) -C bench lab

clean:
	@for d in $(SUBDIRS) bench; do [ -f $$d/Makefile ] && $(MAKE) -C $$d clean || true; done
	rm -rf build

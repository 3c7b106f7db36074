# colorcom top-level Makefile.  The two commands a newcomer needs: `make lab`, `make test`.
# Sub-directories own their build; this file only sequences them.

# Kernel the guest module is built for: the newest installed Debian amd64 headers,
# found at run time, never hard-coded.
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's,.*/linux-headers-,,' | sort -V | tail -n1)
export KVER

SUBDIRS := front dom0lib back toolstack tests/unit tests/lab/helpers rpc

LAB_PARTS := front dom0lib back toolstack tests/lab/helpers rpc

.PHONY: all deps build lab-build test unit lab bench bench-ring clean $(SUBDIRS) install \
	install-utils install-dkms

all: build

deps:
	@./tests/deps.sh

build: $(SUBDIRS)

# What the lab images need (tests/lab/run builds only this).
lab-build: $(LAB_PARTS)

$(SUBDIRS):
	@if [ -f $@/Makefile ]; then $(MAKE) -C $@; fi

# Both dom0 tools link dom0lib/libccdom0.a: build it first, once.
back toolstack: dom0lib

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

# Installation (docs/admin.md).  PREFIX (default /usr) and DESTDIR are honoured;
# the configuration lives in /etc/colorcom whatever PREFIX is (colorcomd reads it
# from there), the systemd unit in UNITDIR.
#   install-utils  dom0: colorcomd, colorcomctl, man pages, unit, example config
#   install-dkms   guests: the module sources and dkms.conf in PREFIX/src
VERSION    := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX     ?= /usr
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DKMS_SRC   := $(DESTDIR)$(PREFIX)/src/colorcom-$(VERSION)
export PREFIX DESTDIR UNITDIR

install: install-utils install-dkms

install-utils: back toolstack
	$(MAKE) -C back install
	$(MAKE) -C toolstack install
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/colorcom
	install -m 0644 back/colorcomd.conf.example $(DESTDIR)$(SYSCONFDIR)/colorcom/colorcomd.conf

install-dkms:
	install -d -m 0755 $(DKMS_SRC)/front $(DKMS_SRC)/common
	install -m 0644 dkms.conf $(DKMS_SRC)/dkms.conf
	install -m 0644 front/Kbuild $(filter-out %.mod.c,$(wildcard front/*.c)) \
		$(wildcard front/*.h) $(DKMS_SRC)/front/
	install -m 0644 common/ccring.c common/ccring.h common/ccring_compat.h $(DKMS_SRC)/common/

clean:
	@for d in $(SUBDIRS) tests/dom0 bench; do [ -f $$d/Makefile ] && $(MAKE) -C $$d clean || true; done
	rm -rf build

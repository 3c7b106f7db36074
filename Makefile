# colorcom top-level Makefile.  The two commands a newcomer needs: `make lab`, `make test`.
# Sub-directories own their build; this file only sequences them.

# Kernel the guest module is built for: the newest installed Debian amd64 headers,
# found at run time, never hard-coded.
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's,.*/linux-headers-,,' | sort -V | tail -n1)
export KVER

SUBDIRS := front dom0lib back toolstack tests/unit tests/lab/helpers rpc

LAB_PARTS := front dom0lib back toolstack tests/lab/helpers rpc

.PHONY: all deps build lab-build test unit lab bench bench-ring clean $(SUBDIRS) install \
	install-utils install-dkms uninstall

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
# from there), the systemd unit in UNITDIR, the module sources where dkms looks
# (DKMSDIR, /usr/src, whatever PREFIX is).
#   install-utils  dom0: colorcomd, colorcomctl, man pages, unit, example config
#                  (the config only if there is none: an edited one is kept,
#                  as dpkg keeps a conffile)
#   install-dkms   guests: the module sources and dkms.conf in DKMSDIR
#   uninstall      all of the above, except a config that differs from the
#                  example (it is the admin's)
VERSION    := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX     ?= /usr
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DKMSDIR    ?= /usr/src
DKMS_SRC   := $(DESTDIR)$(DKMSDIR)/colorcom-$(VERSION)
CONF       := $(DESTDIR)$(SYSCONFDIR)/colorcom/colorcomd.conf
export PREFIX DESTDIR UNITDIR

install: install-utils install-dkms

install-utils: back toolstack
	$(MAKE) -C back install
	$(MAKE) -C toolstack install
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/colorcom
	@if [ -e $(CONF) ]; then \
		echo "keeping $(CONF) (the example is back/colorcomd.conf.example)"; \
	else \
		echo "install -m 0644 back/colorcomd.conf.example $(CONF)"; \
		install -m 0644 back/colorcomd.conf.example $(CONF); \
	fi

install-dkms:
	install -d -m 0755 $(DKMS_SRC)/front $(DKMS_SRC)/common
	install -m 0644 dkms.conf $(DKMS_SRC)/dkms.conf
	install -m 0644 front/Kbuild $(filter-out %.mod.c,$(wildcard front/*.c)) \
		$(wildcard front/*.h) $(DKMS_SRC)/front/
	# Every ring/metadata source the kernel build can pull in from common/.
	install -m 0644 $(wildcard common/*.c common/*.h) $(DKMS_SRC)/common/

uninstall:
	$(MAKE) -C back uninstall
	$(MAKE) -C toolstack uninstall
	rm -rf $(DKMS_SRC)
	@if [ -e $(CONF) ] && ! cmp -s $(CONF) back/colorcomd.conf.example; then \
		echo "keeping $(CONF): it differs from the example"; \
	else \
		rm -f $(CONF); rmdir $(DESTDIR)$(SYSCONFDIR)/colorcom 2>/dev/null || true; \
	fi

clean:
	@for d in $(SUBDIRS) tests/dom0 bench; do [ -f $$d/Makefile ] && $(MAKE) -C $$d clean || true; done
	rm -rf build

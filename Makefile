# SPDX-License-Identifier: GPL-2.0
#
# xen-blkback-ng: top-level targets.  The module itself is built by Kbuild
# from src/Kbuild; everything else here drives tests and packaging.
#
#   make                  module for the running kernel
#   make KDIR=<headers>   module for any kernel headers tree
#   make XBNG_FAULT_INJECT=y   a test build with fault-injection parameters
#   make check            every test suite; ends with "N passed, N failed"

VERSION := $(shell cat $(CURDIR)/VERSION)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
MODULE := src/xen-blkback-ng.ko

.PHONY: all module clean check

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src XBNG_VERSION=$(VERSION) \
		XBNG_FAULT_INJECT=$(XBNG_FAULT_INJECT) modules

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean
	rm -rf build

# Suites: each tests/<suite>/run prints PASS/FAIL lines and its own
# "N passed, N failed"; tests/check.sh runs them and prints the total.
check:
	tests/check.sh

# The slow tier: make check plus the lab's full set and the whole matrix.
.PHONY: check-full
check-full:
	CHECK_FULL=1 tests/check.sh

# The hostile-frontend suite (tests/hostile) alone; make check runs it too.
.PHONY: hostile
hostile:
	tests/hostile/run

-include tests/unit/unit.mk
-include tests/lab/lab.mk
-include tests/matrix/matrix.mk
-include tests/packaging/packaging.mk
-include bench/bench.mk

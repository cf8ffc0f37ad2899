# SPDX-License-Identifier: GPL-2.0
#
# User-space builds of the pure C core (src/core, src/pool policies): the
# unit tests and the libFuzzer targets compile exactly the files the module
# compiles.  Included by the top Makefile.
#
#   make unit             build and run the unit tests (tests/unit/run)
#   make fuzz             fuzz every target, FUZZ_SECONDS in all (600)
#   make unit-bin         only build build/unit/unit_tests
#   make fuzz-bin         only build build/fuzz/fuzz_*
#   make fuzz-cov         source coverage reached by the fuzz corpus

XBNG_CORE_SRCS := src/core/request.c src/core/xs_values.c \
	src/pool/policy.c src/pool/static.c src/pool/squeeze.c src/pool/idle.c \
	src/pool/adaptive.c \
	src/pool/budget.c
XBNG_CORE_HDRS := $(wildcard src/core/*.h) src/pool/policy.h

UNIT_DIR := build/unit
UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wvla \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Isrc/core -Itests/unit
UNIT_SRCS := tests/unit/harness.c tests/unit/test_request.c \
	tests/unit/test_xs_values.c tests/unit/test_policy.c
UNIT_HDRS := tests/unit/harness.h tests/unit/wire.h

# The blkif.h cross-check needs a kernel headers package; without one the
# rest still builds (tests/unit/run says that it was left out).
UNIT_BLKIF_H := $(firstword $(wildcard \
	$(KDIR)/include/xen/interface/io/blkif.h \
	/usr/src/linux-headers-*-common/include/xen/interface/io/blkif.h))
ifneq ($(UNIT_BLKIF_H),)
UNIT_BLKIF_INC := $(patsubst %/xen/interface/io/blkif.h,%,$(UNIT_BLKIF_H))
UNIT_BLKIF_OBJS := $(UNIT_DIR)/test_blkif_64.o $(UNIT_DIR)/test_blkif_32.o
endif

FUZZ_DIR := build/fuzz
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Isrc/core -Itests/unit
FUZZ_TARGETS := fuzz_request fuzz_indirect fuzz_xs
FUZZ_SECONDS ?= 600

.PHONY: unit unit-bin fuzz fuzz-bin

unit:
	tests/unit/run

unit-bin: $(UNIT_DIR)/unit_tests

$(UNIT_DIR)/unit_tests: $(UNIT_SRCS) $(UNIT_HDRS) $(XBNG_CORE_SRCS) \
		$(XBNG_CORE_HDRS) $(UNIT_BLKIF_OBJS)
	@mkdir -p $(UNIT_DIR)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) $(XBNG_CORE_SRCS) \
		$(UNIT_BLKIF_OBJS)

# Once with the native (x86_64) layout, once with the 32-bit guest one.
# -idirafter: only xen/ may come from the kernel tree; <linux/types.h> must
# stay the user-space one.
$(UNIT_DIR)/test_blkif_64.o: tests/unit/test_blkif.c $(UNIT_HDRS) \
		$(XBNG_CORE_HDRS)
	@mkdir -p $(UNIT_DIR)
	$(UNIT_CC) $(UNIT_CFLAGS) -Itests/unit/shim -idirafter $(UNIT_BLKIF_INC) \
		-c -o $@ $<

$(UNIT_DIR)/test_blkif_32.o: tests/unit/test_blkif.c $(UNIT_HDRS) \
		$(XBNG_CORE_HDRS)
	@mkdir -p $(UNIT_DIR)
	$(UNIT_CC) $(UNIT_CFLAGS) -DCONFIG_X86_32 -Itests/unit/shim \
		-idirafter $(UNIT_BLKIF_INC) -c -o $@ $<

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

# Line, region and branch coverage reached by the fuzz corpus.
.PHONY: fuzz-cov
fuzz-cov:
	XBNG_CORE_SRCS="$(XBNG_CORE_SRCS)" tests/fuzz/coverage

fuzz-bin: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(UNIT_HDRS) $(XBNG_CORE_SRCS) \
		$(XBNG_CORE_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(XBNG_CORE_SRCS)

# Rewrites the committed seed corpus (tests/fuzz/gen_corpus.c says when).
.PHONY: fuzz-corpus
fuzz-corpus:
	@mkdir -p $(FUZZ_DIR) $(addprefix tests/fuzz/corpus/,$(FUZZ_TARGETS))
	$(UNIT_CC) -std=gnu11 -Wall -Wextra -Werror -Isrc/core -Itests/unit \
		-o $(FUZZ_DIR)/gen_corpus tests/fuzz/gen_corpus.c
	$(FUZZ_DIR)/gen_corpus

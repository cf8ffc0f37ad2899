// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus into tests/fuzz/corpus/<target>/: one valid input
 * per request kind and ABI, a few malformed ones, and the xenstore values
 * a real toolstack and frontend write.  Run from the top of the tree with
 * "make fuzz-corpus"; the output is committed, so this only needs running
 * when the input formats of the targets change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define DIR "tests/fuzz/corpus/"

static void put(const char *target, const char *name, const void *buf,
		size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), DIR "%s/%s", target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* fuzz_request's header: abi, flags, max indirect, lbs, device size. */
static size_t req_hdr(unsigned char *b, enum xbng_abi abi,
		      unsigned char flags, unsigned int lbs_shift)
{
	memset(b, 0, 13);
	b[0] = (unsigned char)abi;
	b[1] = flags;
	wire_le(b + 2, XBNG_MAX_INDIRECT_SEGS, 2);
	b[4] = (unsigned char)lbs_shift;
	wire_le(b + 5, 1ull << 31, 8);	/* 1 TiB */
	return 13;
}

#define FEATURES 0x1e	/* discard, secure discard, flush, barrier */
#define READONLY 0x01

static void request_seeds(void)
{
	static const char *const abi_name[] = { "x86_64", "x86_32" };
	static unsigned char b[13 + XBNG_SLOT_SIZE_MAX + 2 * XBNG_PAGE_SIZE];
	unsigned int grefs[8] = { 11, 12, 0, 0, 0, 0, 0, 0 };
	char name[64];
	size_t h, slot, i;
	int a;

	for (a = 0; a < 2; a++) {
		enum xbng_abi abi = (enum xbng_abi)a;

		slot = wire_offs[abi].slot;
		memset(b, 0, sizeof(b));
		h = req_hdr(b, abi, FEATURES, 9);
		wire_rw(abi, b + h, XBNG_OP_READ, 2, 0, 1, 64);
		wire_rw_seg(abi, b + h, 0, 100, 0, 7);
		wire_rw_seg(abi, b + h, 1, 101, 0, 3);
		snprintf(name, sizeof(name), "read-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);

		memset(b + h, 0, slot);
		wire_rw(abi, b + h, XBNG_OP_WRITE, 11, 0, 2, 8);
		for (i = 0; i < 11; i++)
			wire_rw_seg(abi, b + h, (unsigned int)i, 200, 0, 7);
		snprintf(name, sizeof(name), "write11-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);

		memset(b + h, 0, slot);
		wire_rw(abi, b + h, XBNG_OP_FLUSH_DISKCACHE, 0, 0, 3, 0);
		snprintf(name, sizeof(name), "flush-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);

		memset(b + h, 0, slot);
		wire_rw(abi, b + h, XBNG_OP_WRITE_BARRIER, 1, 0, 4, 16);
		wire_rw_seg(abi, b + h, 0, 300, 0, 7);
		snprintf(name, sizeof(name), "barrier-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);

		memset(b + h, 0, slot);
		wire_discard(abi, b + h, XBNG_DISCARD_SECURE, 5, 1024, 2048);
		snprintf(name, sizeof(name), "discard-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);

		/* 513 segments: two indirect pages. */
		memset(b, 0, sizeof(b));
		h = req_hdr(b, abi, FEATURES, 9);
		wire_le(b + 2, 4096, 2);
		wire_indirect(abi, b + h, XBNG_OP_WRITE, 513, 6, 4096, 0,
			      grefs);
		for (i = 0; i < 513; i++)
			wire_seg(b + h + slot + 8 * i, (unsigned int)(1000 + i),
				 0, 7);
		snprintf(name, sizeof(name), "indirect513-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot + 513 * 8);

		/* 4 KiB logical blocks on a read-only disk. */
		memset(b, 0, sizeof(b));
		h = req_hdr(b, abi, FEATURES | READONLY, 12);
		wire_rw(abi, b + h, XBNG_OP_READ, 1, 0, 7, 8);
		wire_rw_seg(abi, b + h, 0, 400, 0, 7);
		snprintf(name, sizeof(name), "read4k-ro-%s", abi_name[a]);
		put("fuzz_request", name, b, h + slot);
	}

	memset(b, 0, sizeof(b));
	h = req_hdr(b, XBNG_ABI_X86_64, FEATURES, 9);
	wire_rw(XBNG_ABI_X86_64, b + h, 4, 1, 0, 8, 0);
	put("fuzz_request", "unknown-op4", b, h + 112);
	wire_rw(XBNG_ABI_X86_64, b + h, XBNG_OP_READ, 1, 0, 9,
		(1ull << 31) - 4);
	wire_rw_seg(XBNG_ABI_X86_64, b + h, 0, 1, 0, 7);
	put("fuzz_request", "read-past-end", b, h + 112);
}

static void indirect_seeds(void)
{
	static unsigned char b[4 + XBNG_PAGE_SIZE];
	unsigned int i;

	for (i = 0; i < XBNG_SEGS_PER_INDIRECT_PAGE; i++)
		wire_seg(b + 4 + 8 * i, 0x1000 + i, (unsigned char)(i & 7), 7);
	wire_le(b, 0, 2);
	wire_le(b + 2, 4, 2);
	put("fuzz_indirect", "first4", b, 4 + 4 * 8);
	wire_le(b, 510, 2);
	wire_le(b + 2, 2, 2);
	put("fuzz_indirect", "last2-full-page", b, sizeof(b));
	wire_le(b, 3, 2);
	wire_le(b + 2, 0xffff, 2);
	put("fuzz_indirect", "count-too-big", b, 4 + 10 * 8);
}

static void xs_seeds(void)
{
	static const char *const vals[][2] = {
		{ "physical-device", "fe:0" },
		{ "physical-device-scsi", "8:10" },
		{ "uint-max", "4294967295" },
		{ "uint-over", "4294967296" },
		{ "ring-page-order", "4" },
		{ "protocol-32", "x86_32-abi" },
		{ "protocol-64", "x86_64-abi" },
		{ "protocol-native", "native" },
		{ "mode-w", "w" },
		{ "mode-r", "r" },
		{ "policy-squeeze-nl", "squeeze\n" },
		{ "policy-idle", "idle" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++)
		put("fuzz_xs", vals[i][0], vals[i][1], strlen(vals[i][1]) + 1);
}

int main(void)
{
	request_seeds();
	indirect_seeds();
	xs_seeds();
	return 0;
}

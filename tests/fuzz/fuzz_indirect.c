// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: xbng_indirect_segs_decode() over an indirect page
 * buffer of exactly the input's size (so ASan catches any read past the
 * entries asked for), compared field by field with the raw bytes.
 *
 * Input: [0..1] first entry, [2..3] count, [4..] the page bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xbng_seg out[XBNG_SEGS_PER_INDIRECT_PAGE + 1];
	unsigned int first, n, entries, i;
	const u8 *e;
	u8 *page;

	if (size < 4)
		return 0;
	size -= 4;
	entries = (unsigned int)(size / XBNG_SEG_WIRE_SIZE);
	if (entries > XBNG_SEGS_PER_INDIRECT_PAGE)
		entries = XBNG_SEGS_PER_INDIRECT_PAGE;
	first = (unsigned int)(data[0] | data[1] << 8);
	n = (unsigned int)(data[2] | data[3] << 8);
	first = entries ? first % (entries + 1) : 0;
	if (n > entries - first)
		n = entries - first;

	page = malloc(entries * XBNG_SEG_WIRE_SIZE + 1);
	if (!page)
		return 0;
	memcpy(page, data + 4, entries * XBNG_SEG_WIRE_SIZE);
	/* A guard entry past the end must stay untouched. */
	memset(&out[n], 0x5a, sizeof(out[n]));
	xbng_indirect_segs_decode(page, first, n, out);
	for (i = 0; i < n; i++) {
		e = data + 4 + (size_t)(first + i) * XBNG_SEG_WIRE_SIZE;
		ASSERT(out[i].gref == ((u32)e[0] | (u32)e[1] << 8 |
				       (u32)e[2] << 16 | (u32)e[3] << 24));
		ASSERT(out[i].first_sect == e[4]);
		ASSERT(out[i].last_sect == e[5]);
	}
	ASSERT(out[n].gref == 0x5a5a5a5au);
	free(page);
	return 0;
}

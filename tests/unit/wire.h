/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds ring slots byte by byte for the tests and the fuzz seed corpus.
 *
 * The offsets are written here independently of src/core/request.c, from
 * blkif.h: x86_64 has a u32 _pad after the u16 at offset 2, x86_32 does
 * not, so every field after it sits 4 bytes lower.  test_blkif.c checks
 * both against the kernel's own header.
 *
 *   field                 x86_64  x86_32
 *   operation                  0       0
 *   nr_segments / flag         1       1
 *   handle (rw)                2       2
 *   id                         8       4
 *   sector_number             16      12
 *   seg[0] (rw)               24      20   (8 bytes each: gref, first, last)
 *   nr_sectors (discard)      24      20
 *   indirect nr_segments       2       2   (u16)
 *   indirect handle           24      20
 *   indirect_grefs[0]         28      24
 */
#ifndef XBNG_TEST_WIRE_H
#define XBNG_TEST_WIRE_H

#include <string.h>
#include "request.h"

struct wire_off {
	unsigned int id, sector, seg, nr_sectors, ind_handle, ind_grefs, slot;
};

static const struct wire_off wire_offs[XBNG_ABI_COUNT] = {
	[XBNG_ABI_X86_64] = { 8, 16, 24, 24, 24, 28, 112 },
	[XBNG_ABI_X86_32] = { 4, 12, 20, 20, 20, 24, 108 },
};

static inline void wire_le(unsigned char *p, unsigned long long v,
			   unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One 8-byte blkif_request_segment; the 2 padding bytes are left alone. */
static inline void wire_seg(unsigned char *p, unsigned int gref,
			    unsigned char first, unsigned char last)
{
	wire_le(p, gref, 4);
	p[4] = first;
	p[5] = last;
}

/* READ/WRITE/BARRIER/FLUSH/unknown: the rw layout. */
static inline void wire_rw(enum xbng_abi abi, unsigned char *slot,
			   unsigned char op, unsigned char nr_segs,
			   unsigned short handle, unsigned long long id,
			   unsigned long long sector)
{
	const struct wire_off *o = &wire_offs[abi];

	slot[0] = op;
	slot[1] = nr_segs;
	wire_le(slot + 2, handle, 2);
	wire_le(slot + o->id, id, 8);
	wire_le(slot + o->sector, sector, 8);
}

static inline void wire_rw_seg(enum xbng_abi abi, unsigned char *slot,
			       unsigned int i, unsigned int gref,
			       unsigned char first, unsigned char last)
{
	wire_seg(slot + wire_offs[abi].seg + 8 * i, gref, first, last);
}

static inline void wire_discard(enum xbng_abi abi, unsigned char *slot,
				unsigned char flag, unsigned long long id,
				unsigned long long sector,
				unsigned long long nr_sectors)
{
	const struct wire_off *o = &wire_offs[abi];

	slot[0] = XBNG_OP_DISCARD;
	slot[1] = flag;
	wire_le(slot + o->id, id, 8);
	wire_le(slot + o->sector, sector, 8);
	wire_le(slot + o->nr_sectors, nr_sectors, 8);
}

static inline void wire_indirect(enum xbng_abi abi, unsigned char *slot,
				 unsigned char ind_op, unsigned short nr_segs,
				 unsigned long long id,
				 unsigned long long sector,
				 unsigned short handle,
				 const unsigned int grefs[8])
{
	const struct wire_off *o = &wire_offs[abi];
	unsigned int i;

	slot[0] = XBNG_OP_INDIRECT;
	slot[1] = ind_op;
	wire_le(slot + 2, nr_segs, 2);
	wire_le(slot + o->id, id, 8);
	wire_le(slot + o->sector, sector, 8);
	wire_le(slot + o->ind_handle, handle, 2);
	for (i = 0; i < 8; i++)
		wire_le(slot + o->ind_grefs + 4 * i, grefs[i], 4);
}

#endif /* XBNG_TEST_WIRE_H */

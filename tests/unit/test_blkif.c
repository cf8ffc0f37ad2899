// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-check of the decoder against the kernel's own protocol header:
 * requests are built with struct blkif_request's fields and decoded from
 * its bytes.  Built twice, once with CONFIG_X86_32 defined: blkif.h's
 * request structs are packed, so that gives the exact 32-bit guest layout
 * even from a 64-bit compiler.  Responses are not packed (their 32-bit
 * layout needs a 32-bit compiler), so only the native one is checked here;
 * test_request.c checks both byte by byte.
 *
 * Needs the include directory of a kernel headers package and the shim
 * beside this file for <xen/interface/grant_table.h>.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/interface/io/blkif.h>

#include "harness.h"
#include "request.h"

#ifdef CONFIG_X86_32
#define ABI XBNG_ABI_X86_32
#define XT_NAME(n) n##_x86_32
#else
#define ABI XBNG_ABI_X86_64
#define XT_NAME(n) n##_x86_64
#endif
#define TEST_ABI(n) TEST(n)

static void to_slot(const struct blkif_request *req, unsigned char *slot)
{
	memset(slot, 0, XBNG_SLOT_SIZE_MAX);
	memcpy(slot, req, sizeof(*req));
}

TEST_ABI(XT_NAME(blkif_h_request_size))
{
	CHECK_EQ(sizeof(struct blkif_request), xbng_slot_size(ABI));
}

TEST_ABI(XT_NAME(blkif_h_rw))
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct blkif_request b;
	struct xbng_req r;
	unsigned int i;

	memset(&b, 0xaa, sizeof(b));
	b.operation = BLKIF_OP_WRITE;
	b.u.rw.nr_segments = 11;
	b.u.rw.handle = 0x1234;
	b.u.rw.id = 0x8877665544332211ull;
	b.u.rw.sector_number = 0x0102030405060708ull;
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		b.u.rw.seg[i].gref = 1000 + i;
		b.u.rw.seg[i].first_sect = (uint8_t)i;
		b.u.rw.seg[i].last_sect = (uint8_t)(7 + i);
	}
	to_slot(&b, slot);
	xbng_req_decode(ABI, slot, &r);
	CHECK_EQ(r.operation, BLKIF_OP_WRITE);
	CHECK_EQ(r.nr_segments, 11);
	CHECK_EQ(r.handle, 0x1234);
	CHECK_EQ(r.id, 0x8877665544332211ull);
	CHECK_EQ(r.sector_number, 0x0102030405060708ull);
	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		CHECK_EQ(r.seg[i].gref, 1000 + i);
		CHECK_EQ(r.seg[i].first_sect, i);
		CHECK_EQ(r.seg[i].last_sect, 7 + i);
	}
}

TEST_ABI(XT_NAME(blkif_h_discard))
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct blkif_request b;
	struct xbng_req r;

	memset(&b, 0xaa, sizeof(b));
	b.operation = BLKIF_OP_DISCARD;
	b.u.discard.flag = BLKIF_DISCARD_SECURE;
	b.u.discard.id = 0xa1a2a3a4a5a6a7a8ull;
	b.u.discard.sector_number = 0xb1b2b3b4b5b6b7b8ull;
	b.u.discard.nr_sectors = 0xc1c2c3c4c5c6c7c8ull;
	to_slot(&b, slot);
	xbng_req_decode(ABI, slot, &r);
	CHECK_EQ(r.operation, BLKIF_OP_DISCARD);
	CHECK_EQ(r.discard_flag, BLKIF_DISCARD_SECURE);
	CHECK_EQ(r.id, 0xa1a2a3a4a5a6a7a8ull);
	CHECK_EQ(r.sector_number, 0xb1b2b3b4b5b6b7b8ull);
	CHECK_EQ(r.nr_sectors, 0xc1c2c3c4c5c6c7c8ull);
}

TEST_ABI(XT_NAME(blkif_h_other_id))
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct blkif_request b;
	struct xbng_req r;

	memset(&b, 0xaa, sizeof(b));
	b.operation = BLKIF_OP_FLUSH_DISKCACHE;
	b.u.other.id = 0x0f0e0d0c0b0a0908ull;
	to_slot(&b, slot);
	xbng_req_decode(ABI, slot, &r);
	CHECK_EQ(r.id, 0x0f0e0d0c0b0a0908ull);
	b.operation = 4;
	to_slot(&b, slot);
	xbng_req_decode(ABI, slot, &r);
	CHECK_EQ(r.id, 0x0f0e0d0c0b0a0908ull);
}

TEST_ABI(XT_NAME(blkif_h_indirect))
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct blkif_request b;
	struct xbng_req r;
	unsigned int i;

	memset(&b, 0xaa, sizeof(b));
	b.operation = BLKIF_OP_INDIRECT;
	b.u.indirect.indirect_op = BLKIF_OP_READ;
	b.u.indirect.nr_segments = 0x0102;
	b.u.indirect.id = 0x1112131415161718ull;
	b.u.indirect.sector_number = 0x2122232425262728ull;
	b.u.indirect.handle = 0x3132;
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		b.u.indirect.indirect_grefs[i] = 0x40414243u + i;
	to_slot(&b, slot);
	xbng_req_decode(ABI, slot, &r);
	CHECK_EQ(r.operation, BLKIF_OP_INDIRECT);
	CHECK_EQ(r.indirect_op, BLKIF_OP_READ);
	CHECK_EQ(r.nr_segments, 0x0102);
	CHECK_EQ(r.id, 0x1112131415161718ull);
	CHECK_EQ(r.sector_number, 0x2122232425262728ull);
	CHECK_EQ(r.handle, 0x3132);
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		CHECK_EQ(r.indirect_grefs[i], 0x40414243u + i);
}

TEST_ABI(XT_NAME(blkif_h_indirect_segment_page))
{
	struct blkif_request_segment page[XBNG_SEGS_PER_INDIRECT_PAGE];
	struct xbng_seg out[2];

	CHECK_EQ(sizeof(struct blkif_request_segment), XBNG_SEG_WIRE_SIZE);
	memset(page, 0xaa, sizeof(page));
	page[510].gref = 0x51015101u;
	page[510].first_sect = 2;
	page[510].last_sect = 6;
	page[511].gref = 0x51115111u;
	page[511].first_sect = 7;
	page[511].last_sect = 7;
	xbng_indirect_segs_decode(page, 510, 2, out);
	CHECK_EQ(out[0].gref, 0x51015101u);
	CHECK_EQ(out[0].first_sect, 2);
	CHECK_EQ(out[0].last_sect, 6);
	CHECK_EQ(out[1].gref, 0x51115111u);
	CHECK_EQ(out[1].first_sect, 7);
}

TEST_ABI(XT_NAME(blkif_h_constants))
{
	CHECK_EQ(BLKIF_OP_READ, XBNG_OP_READ);
	CHECK_EQ(BLKIF_OP_WRITE, XBNG_OP_WRITE);
	CHECK_EQ(BLKIF_OP_WRITE_BARRIER, XBNG_OP_WRITE_BARRIER);
	CHECK_EQ(BLKIF_OP_FLUSH_DISKCACHE, XBNG_OP_FLUSH_DISKCACHE);
	CHECK_EQ(BLKIF_OP_DISCARD, XBNG_OP_DISCARD);
	CHECK_EQ(BLKIF_OP_INDIRECT, XBNG_OP_INDIRECT);
	CHECK_EQ(BLKIF_RSP_OKAY, XBNG_RSP_OKAY);
	CHECK_EQ(BLKIF_RSP_ERROR, XBNG_RSP_ERROR);
	CHECK_EQ(BLKIF_RSP_EOPNOTSUPP, XBNG_RSP_EOPNOTSUPP);
	CHECK_EQ(BLKIF_DISCARD_SECURE, XBNG_DISCARD_SECURE);
	CHECK_EQ(BLKIF_MAX_SEGMENTS_PER_REQUEST, XBNG_MAX_DIRECT_SEGS);
	CHECK_EQ(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST,
		 XBNG_MAX_INDIRECT_PAGES);
	CHECK_EQ(offsetof(struct blkif_sring, ring), XBNG_SRING_HDR_SIZE);
}

#ifndef CONFIG_X86_32
/* The native ring: response layout and ring.h's own slot arithmetic. */
TEST_ABI(XT_NAME(blkif_h_response))
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct blkif_response rsp;

	CHECK_EQ(sizeof(rsp), xbng_rsp_size(ABI));
	CHECK_EQ(sizeof(union blkif_sring_entry), xbng_slot_size(ABI));
	memset(slot, 0xaa, sizeof(slot));
	xbng_rsp_encode(ABI, slot, 0x7766554433221100ull, BLKIF_OP_DISCARD,
			BLKIF_RSP_ERROR);
	memcpy(&rsp, slot, sizeof(rsp));
	CHECK_EQ(rsp.id, 0x7766554433221100ull);
	CHECK_EQ(rsp.operation, BLKIF_OP_DISCARD);
	CHECK_EQ((int16_t)rsp.status, BLKIF_RSP_ERROR);
}

TEST_ABI(XT_NAME(blkif_h_ring_size))
{
	CHECK_EQ(xbng_ring_slots(ABI, 1), __CONST_RING_SIZE(blkif, 4096));
	CHECK_EQ(xbng_ring_slots(ABI, 2), __CONST_RING_SIZE(blkif, 2 * 4096));
	CHECK_EQ(xbng_ring_slots(ABI, 4), __CONST_RING_SIZE(blkif, 4 * 4096));
	CHECK_EQ(xbng_ring_slots(ABI, 8), __CONST_RING_SIZE(blkif, 8 * 4096));
	CHECK_EQ(xbng_ring_slots(ABI, 16),
		 __CONST_RING_SIZE(blkif, 16 * 4096));
}
#endif

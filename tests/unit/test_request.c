// SPDX-License-Identifier: GPL-2.0
/*
 * Request decoding, response encoding and validation (src/core/request.c).
 * Every malformed-request class of the "Lessons from advisories" list has a
 * case here.
 */
#include <stdint.h>

#include "harness.h"
#include "request.h"
#include "wire.h"

#define ABIS { XBNG_ABI_X86_64, XBNG_ABI_X86_32 }
#define TB (1ull << 31)		/* 1 TiB in sectors */

/* A writable 1 TiB disk with 512-byte blocks offering every feature. */
static struct xbng_limits lim_all(void)
{
	struct xbng_limits l = {
		.dev_sectors = TB,
		.logical_block_size = 512,
		.max_indirect_segs = XBNG_MAX_INDIRECT_SEGS,
		.readonly = false,
		.discard = true,
		.secure_discard = true,
		.flush = true,
		.barrier = true,
	};
	return l;
}

static struct xbng_limits lim_none(void)
{
	struct xbng_limits l = lim_all();

	l.max_indirect_segs = 0;
	l.discard = false;
	l.secure_discard = false;
	l.flush = false;
	l.barrier = false;
	return l;
}

static struct xbng_limits lim_ro(void)
{
	struct xbng_limits l = lim_all();

	l.readonly = true;
	return l;
}

/* A header-only request: what xbng_req_check() looks at. */
static struct xbng_req rq(unsigned char op, unsigned int nr_segs)
{
	struct xbng_req r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (u16)nr_segs;
	return r;
}

static struct xbng_req rq_ind(unsigned char ind_op, unsigned int nr_segs)
{
	struct xbng_req r = rq(XBNG_OP_INDIRECT, nr_segs);

	r.indirect_op = ind_op;
	return r;
}

static struct xbng_req rq_discard(u64 sector, u64 nr, unsigned char flag)
{
	struct xbng_req r = rq(XBNG_OP_DISCARD, 0);

	r.sector_number = sector;
	r.nr_sectors = nr;
	r.discard_flag = flag;
	return r;
}

static enum xbng_req_err check(struct xbng_req r, struct xbng_limits l)
{
	struct xbng_req_plan plan;

	return xbng_req_check(&r, &l, &plan);
}

/* ---- sizes and ring geometry ---- */

TEST(slot_and_response_sizes)
{
	CHECK_EQ(xbng_slot_size(XBNG_ABI_X86_64), 112);
	CHECK_EQ(xbng_slot_size(XBNG_ABI_X86_32), 108);
	CHECK_EQ(xbng_rsp_size(XBNG_ABI_X86_64), 16);
	CHECK_EQ(xbng_rsp_size(XBNG_ABI_X86_32), 12);
	CHECK(XBNG_SLOT_SIZE_MAX >= 112);
}

/* ring.h's __RD32, written differently: highest power of two <= x. */
static unsigned int ref_rd32(unsigned long long x)
{
	unsigned int bit;

	if (x == 0)
		return 0;
	for (bit = 31; !(x >> bit); bit--)
		;
	return 1u << bit;
}

TEST(ring_slots_one_page_is_32)
{
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 1), 32);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_32, 1), 32);
}

TEST(ring_slots_16_pages_is_512)
{
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 16), 512);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_32, 16), 512);
}

TEST(ring_slots_zero_pages)
{
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 0), 0);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_32, 0), 0);
}

TEST(ring_slots_match_rd32_formula)
{
	enum xbng_abi abis[] = ABIS;
	unsigned int a, n;

	for (a = 0; a < 2; a++) {
		unsigned int sz = a ? 108 : 112;

		for (n = 1; n <= 4096; n++)
			CHECK_EQ(xbng_ring_slots(abis[a], n),
				 ref_rd32((n * 4096ull - 64) / sz));
	}
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 2), 64);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 4), 128);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 8), 256);
}

TEST(ring_slots_huge_page_count_saturates)
{
	/* 2^32 - 1 pages would be 2^37 slots: no 32-bit overflow, capped. */
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_64, 0xffffffffu), 0x80000000u);
	CHECK_EQ(xbng_ring_slots(XBNG_ABI_X86_32, 1u << 20), 1u << 25);
}

/* ---- decoding ---- */

/* Fill with @pad, build a read with 11 distinct segments. */
static void build_rw(enum xbng_abi abi, unsigned char *slot,
		     unsigned char pad, unsigned char op)
{
	unsigned int i;

	memset(slot, pad, XBNG_SLOT_SIZE_MAX);
	wire_rw(abi, slot, op, 11, 0xbeef, 0x0123456789abcdefull,
		0xfedcba9876543210ull);
	for (i = 0; i < 11; i++)
		wire_rw_seg(abi, slot, i, 0x10203000u + i, (unsigned char)i,
			    (unsigned char)(i + 100));
}

static void expect_rw(const struct xbng_req *r, unsigned char op)
{
	unsigned int i;

	CHECK_EQ(r->operation, op);
	CHECK_EQ(r->nr_segments, 11);
	CHECK_EQ(r->handle, 0xbeef);
	CHECK_EQ(r->id, 0x0123456789abcdefull);
	CHECK_EQ(r->sector_number, 0xfedcba9876543210ull);
	for (i = 0; i < 11; i++) {
		CHECK_EQ(r->seg[i].gref, 0x10203000u + i);
		CHECK_EQ(r->seg[i].first_sect, i);
		CHECK_EQ(r->seg[i].last_sect, i + 100);
	}
	CHECK_EQ(r->nr_sectors, 0);
	CHECK_EQ(r->indirect_op, 0);
	CHECK_EQ(r->discard_flag, 0);
}

static void decode_rw_case(enum xbng_abi abi, unsigned char op)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct xbng_req r;

	/* The padding must not matter: decode with two different fills. */
	build_rw(abi, slot, 0xaa, op);
	memset(&r, 0x5a, sizeof(r));
	xbng_req_decode(abi, slot, &r);
	expect_rw(&r, op);
	build_rw(abi, slot, 0x00, op);
	xbng_req_decode(abi, slot, &r);
	expect_rw(&r, op);
}

TEST(decode_read_x86_64)
{
	decode_rw_case(XBNG_ABI_X86_64, XBNG_OP_READ);
}

TEST(decode_read_x86_32)
{
	decode_rw_case(XBNG_ABI_X86_32, XBNG_OP_READ);
}

TEST(decode_write_x86_64)
{
	decode_rw_case(XBNG_ABI_X86_64, XBNG_OP_WRITE);
}

TEST(decode_write_x86_32)
{
	decode_rw_case(XBNG_ABI_X86_32, XBNG_OP_WRITE);
}

TEST(decode_barrier_x86_64)
{
	decode_rw_case(XBNG_ABI_X86_64, XBNG_OP_WRITE_BARRIER);
}

TEST(decode_barrier_x86_32)
{
	decode_rw_case(XBNG_ABI_X86_32, XBNG_OP_WRITE_BARRIER);
}

TEST(decode_flush_x86_64)
{
	decode_rw_case(XBNG_ABI_X86_64, XBNG_OP_FLUSH_DISKCACHE);
}

TEST(decode_flush_x86_32)
{
	decode_rw_case(XBNG_ABI_X86_32, XBNG_OP_FLUSH_DISKCACHE);
}

/* An unknown op still yields its id, so the error response echoes it. */
TEST(decode_unknown_op_keeps_id)
{
	enum xbng_abi abis[] = ABIS;
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	unsigned int a, ops[] = { 4, 7, 255 }, o;
	struct xbng_req r;

	for (a = 0; a < 2; a++)
		for (o = 0; o < 3; o++) {
			build_rw(abis[a], slot, 0xaa, (unsigned char)ops[o]);
			xbng_req_decode(abis[a], slot, &r);
			CHECK_EQ(r.operation, ops[o]);
			CHECK_EQ(r.id, 0x0123456789abcdefull);
		}
}

TEST(decode_little_endian_byte_order)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct xbng_req r;
	unsigned int i;

	memset(slot, 0, sizeof(slot));
	for (i = 0; i < 8; i++)
		slot[8 + i] = (unsigned char)(i + 1);
	xbng_req_decode(XBNG_ABI_X86_64, slot, &r);
	CHECK_EQ(r.id, 0x0807060504030201ull);
}

static void decode_discard_case(enum xbng_abi abi)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct xbng_req r;

	memset(slot, 0xaa, sizeof(slot));
	wire_discard(abi, slot, XBNG_DISCARD_SECURE, 77, 0x1122334455667788ull,
		     0x99aabbccddeeff00ull);
	memset(&r, 0x5a, sizeof(r));
	xbng_req_decode(abi, slot, &r);
	CHECK_EQ(r.operation, XBNG_OP_DISCARD);
	CHECK_EQ(r.discard_flag, XBNG_DISCARD_SECURE);
	CHECK_EQ(r.id, 77);
	CHECK_EQ(r.sector_number, 0x1122334455667788ull);
	CHECK_EQ(r.nr_sectors, 0x99aabbccddeeff00ull);
	CHECK_EQ(r.nr_segments, 0);
	CHECK_EQ(r.seg[0].gref, 0);
}

TEST(decode_discard_x86_64)
{
	decode_discard_case(XBNG_ABI_X86_64);
}

TEST(decode_discard_x86_32)
{
	decode_discard_case(XBNG_ABI_X86_32);
}

static void decode_indirect_case(enum xbng_abi abi)
{
	unsigned int grefs[8] = { 1, 0x100, 0x10000, 0x1000000, 0xfffffffe,
				  6, 7, 0x80000008 };
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct xbng_req r;
	unsigned int i;

	memset(slot, 0xaa, sizeof(slot));
	wire_indirect(abi, slot, XBNG_OP_WRITE, 0x1234, 0xdeadbeefcafef00dull,
		      4096, 0x5150, grefs);
	memset(&r, 0x5a, sizeof(r));
	xbng_req_decode(abi, slot, &r);
	CHECK_EQ(r.operation, XBNG_OP_INDIRECT);
	CHECK_EQ(r.indirect_op, XBNG_OP_WRITE);
	CHECK_EQ(r.nr_segments, 0x1234);
	CHECK_EQ(r.id, 0xdeadbeefcafef00dull);
	CHECK_EQ(r.sector_number, 4096);
	CHECK_EQ(r.handle, 0x5150);
	for (i = 0; i < 8; i++)
		CHECK_EQ(r.indirect_grefs[i], grefs[i]);
}

TEST(decode_indirect_x86_64)
{
	decode_indirect_case(XBNG_ABI_X86_64);
}

TEST(decode_indirect_x86_32)
{
	decode_indirect_case(XBNG_ABI_X86_32);
}

/* blkfront disables the disk if an indirect response says "indirect". */
TEST(response_operation_of_indirect_is_wrapped_op)
{
	struct xbng_req r;

	memset(&r, 0, sizeof(r));
	r.operation = XBNG_OP_INDIRECT;
	r.indirect_op = XBNG_OP_WRITE;
	CHECK_EQ(xbng_rsp_operation(&r), XBNG_OP_WRITE);
	r.indirect_op = XBNG_OP_READ;
	CHECK_EQ(xbng_rsp_operation(&r), XBNG_OP_READ);
	/* Even a refused wrapper echoes what it wrapped. */
	r.indirect_op = XBNG_OP_DISCARD;
	CHECK_EQ(xbng_rsp_operation(&r), XBNG_OP_DISCARD);
	r.operation = XBNG_OP_FLUSH_DISKCACHE;
	CHECK_EQ(xbng_rsp_operation(&r), XBNG_OP_FLUSH_DISKCACHE);
	r.operation = 255;
	CHECK_EQ(xbng_rsp_operation(&r), 255);
}

TEST(decode_indirect_segments_from_page)
{
	static unsigned char page[XBNG_PAGE_SIZE];
	struct xbng_seg out[4];
	unsigned int i;

	memset(page, 0xcc, sizeof(page));
	for (i = 0; i < XBNG_SEGS_PER_INDIRECT_PAGE; i++)
		wire_seg(page + 8 * i, 0xa0000000u + i, (unsigned char)(i & 7),
			 (unsigned char)(i >> 1));
	xbng_indirect_segs_decode(page, 0, 1, out);
	CHECK_EQ(out[0].gref, 0xa0000000u);
	/* The last entries of the page: no read past its end (ASan). */
	xbng_indirect_segs_decode(page, 508, 4, out);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(out[i].gref, 0xa0000000u + 508 + i);
		CHECK_EQ(out[i].first_sect, (508 + i) & 7);
		CHECK_EQ(out[i].last_sect, ((508 + i) >> 1) & 0xff);
	}
}

TEST(decode_indirect_segments_zero_count)
{
	unsigned char page[8] = { 0 };
	struct xbng_seg out[1] = { { 42, 1, 2 } };

	xbng_indirect_segs_decode(page, 0, 0, out);
	CHECK_EQ(out[0].gref, 42);
}

/* ---- responses (XSA-216) ---- */

static void rsp_case(enum xbng_abi abi, unsigned int size)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	unsigned int i;

	memset(slot, 0xaa, sizeof(slot));
	xbng_rsp_encode(abi, slot, 0x1122334455667788ull, XBNG_OP_INDIRECT,
			XBNG_RSP_EOPNOTSUPP);
	for (i = 0; i < 8; i++)
		CHECK_EQ(slot[i], (0x1122334455667788ull >> (8 * i)) & 0xff);
	CHECK_EQ(slot[8], XBNG_OP_INDIRECT);
	CHECK_EQ(slot[9], 0);		/* padding */
	CHECK_EQ(slot[10], 0xfe);	/* -2, little endian */
	CHECK_EQ(slot[11], 0xff);
	for (i = 12; i < size; i++)	/* x86_64 tail padding */
		CHECK_EQ(slot[i], 0);
	/* Nothing beyond the response is touched (the rest of the slot). */
	for (i = size; i < sizeof(slot); i++)
		CHECK_EQ(slot[i], 0xaa);
}

TEST(rsp_encode_x86_64_fills_every_byte)
{
	rsp_case(XBNG_ABI_X86_64, 16);
}

TEST(rsp_encode_x86_32_fills_every_byte)
{
	rsp_case(XBNG_ABI_X86_32, 12);
}

TEST(rsp_encode_status_values)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];

	memset(slot, 0xaa, sizeof(slot));
	xbng_rsp_encode(XBNG_ABI_X86_32, slot, 0, 0, XBNG_RSP_OKAY);
	CHECK_EQ(slot[10], 0);
	CHECK_EQ(slot[11], 0);
	xbng_rsp_encode(XBNG_ABI_X86_32, slot, ~0ull, 255, XBNG_RSP_ERROR);
	CHECK_EQ(slot[0], 0xff);
	CHECK_EQ(slot[7], 0xff);
	CHECK_EQ(slot[8], 0xff);
	CHECK_EQ(slot[9], 0);
	CHECK_EQ(slot[10], 0xff);
	CHECK_EQ(slot[11], 0xff);
}

TEST(err_status_mapping)
{
	unsigned int e;

	CHECK_EQ(xbng_req_err_status(XBNG_REQ_OK), XBNG_RSP_OKAY);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_UNKNOWN_OP),
		 (s16)XBNG_RSP_EOPNOTSUPP);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_UNSUPPORTED),
		 (s16)XBNG_RSP_EOPNOTSUPP);
	for (e = XBNG_REQ_BAD_INDIRECT_OP; e < XBNG_REQ_ERR_COUNT; e++)
		CHECK_EQ(xbng_req_err_status((enum xbng_req_err)e),
			 (s16)XBNG_RSP_ERROR);
}

TEST(err_strings_exist_and_differ)
{
	unsigned int e, f;

	for (e = 0; e < XBNG_REQ_ERR_COUNT; e++) {
		const char *s = xbng_req_err_str((enum xbng_req_err)e);

		CHECK(s && *s);
		for (f = 0; f < e; f++)
			CHECK(strcmp(s,
				     xbng_req_err_str((enum xbng_req_err)f)));
	}
	CHECK(xbng_req_err_str(XBNG_REQ_ERR_COUNT));
	CHECK(xbng_req_err_str((enum xbng_req_err)1000));
}

/* ---- xbng_req_check: READ / WRITE ---- */

TEST(check_read_write_ok)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq(XBNG_OP_READ, 1);

	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_READ);
	CHECK_EQ(plan.nr_segs, 1);
	CHECK_EQ(plan.nr_indirect_pages, 0);
	r = rq(XBNG_OP_WRITE, 11);
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_WRITE);
	CHECK_EQ(plan.nr_segs, 11);
	/* Reads and writes need no feature at all. */
	CHECK_EQ(check(rq(XBNG_OP_READ, 5), lim_none()), XBNG_REQ_OK);
	CHECK_EQ(check(rq(XBNG_OP_WRITE, 5), lim_none()), XBNG_REQ_OK);
}

TEST(check_zero_segments_refused)
{
	CHECK_EQ(check(rq(XBNG_OP_READ, 0), lim_all()), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(check(rq(XBNG_OP_WRITE, 0), lim_all()), XBNG_REQ_BAD_NR_SEGS);
}

TEST(check_more_than_11_segments_refused)
{
	unsigned int n;

	for (n = 12; n <= 255; n++) {
		CHECK_EQ(check(rq(XBNG_OP_READ, n), lim_all()),
			 XBNG_REQ_BAD_NR_SEGS);
		CHECK_EQ(check(rq(XBNG_OP_WRITE, n), lim_all()),
			 XBNG_REQ_BAD_NR_SEGS);
	}
}

TEST(check_write_on_readonly_refused)
{
	CHECK_EQ(check(rq(XBNG_OP_WRITE, 1), lim_ro()), XBNG_REQ_READONLY);
	CHECK_EQ(check(rq(XBNG_OP_READ, 1), lim_ro()), XBNG_REQ_OK);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_READONLY), XBNG_RSP_ERROR);
}

TEST(check_unknown_ops)
{
	unsigned int op;

	for (op = 0; op < 256; op++) {
		if (op <= 3 || op == 5 || op == 6)
			continue;
		CHECK_EQ(check(rq((unsigned char)op, 1), lim_all()),
			 XBNG_REQ_UNKNOWN_OP);
	}
	CHECK_EQ(check(rq(4, 1), lim_all()), XBNG_REQ_UNKNOWN_OP);
	CHECK_EQ(check(rq(255, 0), lim_none()), XBNG_REQ_UNKNOWN_OP);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_UNKNOWN_OP), XBNG_RSP_EOPNOTSUPP);
}

/* ---- FLUSH_DISKCACHE and WRITE_BARRIER ---- */

TEST(check_flush_not_advertised)
{
	struct xbng_limits l = lim_all();

	l.flush = false;
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 0), l),
		 XBNG_REQ_UNSUPPORTED);
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 3), l),
		 XBNG_REQ_UNSUPPORTED);
	/* Feature first: even a malformed one answers EOPNOTSUPP. */
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 200), l),
		 XBNG_REQ_UNSUPPORTED);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_UNSUPPORTED),
		 XBNG_RSP_EOPNOTSUPP);
}

TEST(check_flush_segments)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq(XBNG_OP_FLUSH_DISKCACHE, 0);

	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_FLUSH);
	CHECK_EQ(plan.nr_segs, 0);
	r.nr_segments = 11;
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.nr_segs, 11);
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 12), l),
		 XBNG_REQ_BAD_NR_SEGS);
}

TEST(check_flush_readonly)
{
	/* A bare flush changes no data; one with data writes. */
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 0), lim_ro()), XBNG_REQ_OK);
	CHECK_EQ(check(rq(XBNG_OP_FLUSH_DISKCACHE, 1), lim_ro()),
		 XBNG_REQ_READONLY);
}

TEST(check_barrier)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq(XBNG_OP_WRITE_BARRIER, 0);

	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_BARRIER);
	r.nr_segments = 11;
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.nr_segs, 11);
	CHECK_EQ(check(rq(XBNG_OP_WRITE_BARRIER, 12), l), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(check(rq(XBNG_OP_WRITE_BARRIER, 0), lim_ro()),
		 XBNG_REQ_READONLY);
	l.barrier = false;
	CHECK_EQ(check(rq(XBNG_OP_WRITE_BARRIER, 1), l), XBNG_REQ_UNSUPPORTED);
	/* Flush and barrier are separate features. */
	l = lim_all();
	l.flush = false;
	CHECK_EQ(check(rq(XBNG_OP_WRITE_BARRIER, 1), l), XBNG_REQ_OK);
}

/* ---- DISCARD ---- */

TEST(check_discard_not_advertised)
{
	struct xbng_limits l = lim_all();

	l.discard = false;
	CHECK_EQ(check(rq_discard(0, 8, 0), l), XBNG_REQ_UNSUPPORTED);
	CHECK_EQ(check(rq_discard(0, 8, XBNG_DISCARD_SECURE), l),
		 XBNG_REQ_UNSUPPORTED);
}

TEST(check_discard_ok)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq_discard(8, 8, 0);

	r.nr_segments = 0xffff;	/* not a field of discard: ignored */
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_DISCARD);
	CHECK_EQ(plan.nr_segs, 0);
	CHECK_EQ(plan.nr_indirect_pages, 0);
	CHECK(!plan.secure);
	/* The whole device. */
	CHECK_EQ(check(rq_discard(0, TB, 0), l), XBNG_REQ_OK);
}

TEST(check_discard_secure_only_if_offered)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq_discard(0, 8, XBNG_DISCARD_SECURE);

	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK(plan.secure);
	l.secure_discard = false;
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK(!plan.secure);
	/* Unknown flag bits are ignored. */
	l = lim_all();
	r.discard_flag = 0xfe;
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK(!plan.secure);
}

TEST(check_discard_readonly)
{
	CHECK_EQ(check(rq_discard(0, 8, 0), lim_ro()), XBNG_REQ_READONLY);
	CHECK_EQ(check(rq_discard(0, 8, XBNG_DISCARD_SECURE), lim_ro()),
		 XBNG_REQ_READONLY);
}

TEST(check_discard_zero_length_is_noop)
{
	CHECK_EQ(check(rq_discard(0, 0, 0), lim_all()), XBNG_REQ_OK);
	CHECK_EQ(check(rq_discard(TB, 0, 0), lim_all()), XBNG_REQ_OK);
	/* Not a way to name a sector past the end. */
	CHECK_EQ(check(rq_discard(TB + 1, 0, 0), lim_all()),
		 XBNG_REQ_PAST_END);
}

TEST(check_discard_past_end)
{
	CHECK_EQ(check(rq_discard(TB - 8, 8, 0), lim_all()), XBNG_REQ_OK);
	CHECK_EQ(check(rq_discard(TB - 8, 9, 0), lim_all()), XBNG_REQ_PAST_END);
	CHECK_EQ(check(rq_discard(TB, 1, 0), lim_all()), XBNG_REQ_PAST_END);
	CHECK_EQ(check(rq_discard(0, TB + 1, 0), lim_all()), XBNG_REQ_PAST_END);
}

TEST(check_discard_u64_overflow)
{
	struct xbng_limits l = lim_all();

	/* sector + nr wraps to a small number: must not look in range. */
	CHECK_EQ(check(rq_discard(UINT64_MAX - 7, 16, 0), l),
		 XBNG_REQ_PAST_END);
	CHECK_EQ(check(rq_discard(8, UINT64_MAX, 0), l), XBNG_REQ_PAST_END);
	l.dev_sectors = UINT64_MAX;
	CHECK_EQ(check(rq_discard(UINT64_MAX - 7, 16, 0), l),
		 XBNG_REQ_PAST_END);
	CHECK_EQ(check(rq_discard(UINT64_MAX - 8, 8, 0), l), XBNG_REQ_OK);
}

TEST(check_discard_misaligned_4k)
{
	struct xbng_limits l = lim_all();

	l.logical_block_size = 4096;
	CHECK_EQ(check(rq_discard(8, 8, 0), l), XBNG_REQ_OK);
	CHECK_EQ(check(rq_discard(1, 8, 0), l), XBNG_REQ_MISALIGNED);
	CHECK_EQ(check(rq_discard(8, 7, 0), l), XBNG_REQ_MISALIGNED);
	CHECK_EQ(check(rq_discard(8, 4, 0), l), XBNG_REQ_MISALIGNED);
}

/* ---- INDIRECT ---- */

TEST(check_indirect_not_negotiated)
{
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 1), lim_none()),
		 XBNG_REQ_UNSUPPORTED);
	CHECK_EQ(check(rq_ind(XBNG_OP_DISCARD, 1), lim_none()),
		 XBNG_REQ_UNSUPPORTED);
}

TEST(check_indirect_ok)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq_ind(XBNG_OP_READ, 256);

	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_READ);
	CHECK_EQ(plan.nr_segs, 256);
	CHECK_EQ(plan.nr_indirect_pages, 1);
	r = rq_ind(XBNG_OP_WRITE, 1);
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.kind, XBNG_KIND_WRITE);
	CHECK_EQ(plan.nr_indirect_pages, 1);
}

TEST(check_indirect_wrapping_other_ops)
{
	unsigned int op;

	for (op = 2; op < 256; op++)
		CHECK_EQ(check(rq_ind((unsigned char)op, 1), lim_all()),
			 XBNG_REQ_BAD_INDIRECT_OP);
	CHECK_EQ(check(rq_ind(XBNG_OP_DISCARD, 1), lim_all()),
		 XBNG_REQ_BAD_INDIRECT_OP);
	CHECK_EQ(check(rq_ind(XBNG_OP_FLUSH_DISKCACHE, 1), lim_all()),
		 XBNG_REQ_BAD_INDIRECT_OP);
	CHECK_EQ(check(rq_ind(XBNG_OP_INDIRECT, 1), lim_all()),
		 XBNG_REQ_BAD_INDIRECT_OP);
	CHECK_EQ(xbng_req_err_status(XBNG_REQ_BAD_INDIRECT_OP), XBNG_RSP_ERROR);
}

TEST(check_indirect_segment_bounds)
{
	struct xbng_limits l = lim_all();

	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 0), l), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 257), l), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 0xffff), l), XBNG_REQ_BAD_NR_SEGS);
	l.max_indirect_segs = 32;
	CHECK_EQ(check(rq_ind(XBNG_OP_WRITE, 32), l), XBNG_REQ_OK);
	CHECK_EQ(check(rq_ind(XBNG_OP_WRITE, 33), l), XBNG_REQ_BAD_NR_SEGS);
}

TEST(check_indirect_max_capped_by_8_pages)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq_ind(XBNG_OP_READ, 4096);

	/* A bogus limit cannot make us map more than 8 indirect pages. */
	l.max_indirect_segs = 0xffffffffu;
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
	CHECK_EQ(plan.nr_indirect_pages, 8);
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 4097), l), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 0xffff), l), XBNG_REQ_BAD_NR_SEGS);
}

TEST(check_indirect_page_count)
{
	static const unsigned int segs[] = { 1, 511, 512, 513, 1024, 1025,
					     4095, 4096 };
	static const unsigned int pages[] = { 1, 1, 1, 2, 2, 3, 8, 8 };
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	unsigned int i;

	l.max_indirect_segs = 4096;
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		struct xbng_req r = rq_ind(XBNG_OP_READ, segs[i]);

		CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
		CHECK_EQ(plan.nr_indirect_pages, pages[i]);
		CHECK_EQ(plan.nr_segs, segs[i]);
	}
}

TEST(check_indirect_write_readonly)
{
	CHECK_EQ(check(rq_ind(XBNG_OP_WRITE, 8), lim_ro()), XBNG_REQ_READONLY);
	CHECK_EQ(check(rq_ind(XBNG_OP_READ, 8), lim_ro()), XBNG_REQ_OK);
}

TEST(check_plan_cleared_on_error)
{
	struct xbng_req_plan plan;
	struct xbng_limits l = lim_all();
	struct xbng_req r = rq(XBNG_OP_READ, 0);

	memset(&plan, 0x5a, sizeof(plan));
	CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_BAD_NR_SEGS);
	CHECK_EQ(plan.nr_segs, 0);
	CHECK_EQ(plan.nr_indirect_pages, 0);
}

/* ---- xbng_segs_check ---- */

static struct xbng_seg sg(unsigned char first, unsigned char last)
{
	struct xbng_seg s = { 1, first, last };

	return s;
}

static enum xbng_req_err segs(const struct xbng_seg *s, unsigned int n,
			      u64 sector, struct xbng_limits l, u64 *nr)
{
	*nr = 0xdeadull;
	return xbng_segs_check(s, n, sector, &l, nr);
}

TEST(segs_ok_and_counted)
{
	struct xbng_seg s[3] = { sg(0, 7), sg(3, 3), sg(1, 6) };
	u64 nr;

	CHECK_EQ(segs(s, 1, 0, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 8);
	CHECK_EQ(segs(s, 3, 100, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 8 + 1 + 6);
}

TEST(segs_zero_is_flush_without_data)
{
	u64 nr;

	CHECK_EQ(segs(NULL, 0, UINT64_MAX, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 0);
}

TEST(segs_first_after_last)
{
	struct xbng_seg s[2] = { sg(0, 7), sg(5, 4) };
	u64 nr;

	CHECK_EQ(segs(s, 2, 0, lim_all(), &nr), XBNG_REQ_BAD_SECT);
	CHECK_EQ(nr, 0);
}

TEST(segs_last_sect_past_page)
{
	static const unsigned char bad[] = { 8, 9, 15, 16, 128, 255 };
	struct xbng_seg s[1];
	unsigned int i;
	u64 nr;

	for (i = 0; i < sizeof(bad); i++) {
		s[0] = sg(0, bad[i]);
		CHECK_EQ(segs(s, 1, 0, lim_all(), &nr), XBNG_REQ_BAD_SECT);
		s[0] = sg(bad[i], bad[i]);
		CHECK_EQ(segs(s, 1, 0, lim_all(), &nr), XBNG_REQ_BAD_SECT);
	}
	s[0] = sg(7, 7);
	CHECK_EQ(segs(s, 1, 0, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 1);
}

TEST(segs_bad_sect_in_last_of_many)
{
	struct xbng_seg s[XBNG_MAX_DIRECT_SEGS];
	unsigned int i;
	u64 nr;

	for (i = 0; i < XBNG_MAX_DIRECT_SEGS; i++)
		s[i] = sg(0, 7);
	s[10] = sg(0, 8);
	CHECK_EQ(segs(s, 11, 0, lim_all(), &nr), XBNG_REQ_BAD_SECT);
	/* Only the first n are looked at. */
	CHECK_EQ(segs(s, 10, 0, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 80);
}

TEST(segs_range_past_end)
{
	struct xbng_seg s[1] = { sg(0, 7) };
	u64 nr;

	CHECK_EQ(segs(s, 1, TB - 8, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(segs(s, 1, TB - 7, lim_all(), &nr), XBNG_REQ_PAST_END);
	CHECK_EQ(nr, 0);
	CHECK_EQ(segs(s, 1, TB, lim_all(), &nr), XBNG_REQ_PAST_END);
}

TEST(segs_sector_overflow_2_64)
{
	struct xbng_seg s[1] = { sg(0, 7) };
	struct xbng_limits l = lim_all();
	u64 nr;

	CHECK_EQ(segs(s, 1, UINT64_MAX - 3, l, &nr), XBNG_REQ_PAST_END);
	l.dev_sectors = UINT64_MAX;
	/* sector + 8 would wrap to 4: must not be taken as in range. */
	CHECK_EQ(segs(s, 1, UINT64_MAX - 3, l, &nr), XBNG_REQ_PAST_END);
	CHECK_EQ(segs(s, 1, UINT64_MAX - 7, l, &nr), XBNG_REQ_PAST_END);
	CHECK_EQ(segs(s, 1, UINT64_MAX - 8, l, &nr), XBNG_REQ_OK);
}

TEST(segs_tiny_device)
{
	struct xbng_seg s[1] = { sg(0, 0) };
	struct xbng_limits l = lim_all();
	u64 nr;

	l.dev_sectors = 0;
	CHECK_EQ(segs(s, 1, 0, l, &nr), XBNG_REQ_PAST_END);
	l.dev_sectors = 1;
	CHECK_EQ(segs(s, 1, 0, l, &nr), XBNG_REQ_OK);
	CHECK_EQ(segs(s, 1, 1, l, &nr), XBNG_REQ_PAST_END);
}

TEST(segs_misaligned_4k)
{
	struct xbng_seg s[2] = { sg(0, 7), sg(0, 7) };
	struct xbng_limits l = lim_all();
	u64 nr;

	l.logical_block_size = 4096;
	CHECK_EQ(segs(s, 2, 8, l, &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 16);
	CHECK_EQ(segs(s, 2, 1, l, &nr), XBNG_REQ_MISALIGNED);
	CHECK_EQ(segs(s, 2, 4, l, &nr), XBNG_REQ_MISALIGNED);
	s[1] = sg(0, 3);
	CHECK_EQ(segs(s, 2, 8, l, &nr), XBNG_REQ_MISALIGNED);
	/*
	 * Two half pages add up to one block, but each bio_vec would hold
	 * half a block: refused, as the stock backend does.
	 */
	s[0] = sg(4, 7);
	s[1] = sg(0, 3);
	CHECK_EQ(segs(s, 2, 8, l, &nr), XBNG_REQ_MISALIGNED);
	CHECK_EQ(nr, 0);
}

TEST(segs_bad_sect_before_alignment)
{
	struct xbng_seg s[1] = { sg(4, 2) };
	struct xbng_limits l = lim_all();
	u64 nr;

	l.logical_block_size = 4096;
	CHECK_EQ(segs(s, 1, 1, l, &nr), XBNG_REQ_BAD_SECT);
}

TEST(segs_invalid_block_size_fails_closed)
{
	static const unsigned int bad[] = { 0, 1, 256, 511, 513, 1000, 4095,
					    0x80000001u };
	struct xbng_seg s[1] = { sg(0, 7) };
	struct xbng_limits l = lim_all();
	unsigned int i;
	u64 nr;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		l.logical_block_size = bad[i];
		CHECK_EQ(segs(s, 1, 0, l, &nr), XBNG_REQ_MISALIGNED);
		CHECK_EQ(check(rq_discard(0, 8, 0), l), XBNG_REQ_MISALIGNED);
	}
	l.logical_block_size = 0x80000000u;
	CHECK_EQ(segs(s, 1, 0, l, &nr), XBNG_REQ_MISALIGNED);
}

TEST(segs_full_indirect_request)
{
	static struct xbng_seg s[8 * XBNG_SEGS_PER_INDIRECT_PAGE];
	unsigned int i;
	u64 nr;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = sg(0, 7);
	CHECK_EQ(segs(s, 256, 0, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 2048);
	CHECK_EQ(segs(s, ARRAY_SIZE(s), 0, lim_all(), &nr), XBNG_REQ_OK);
	CHECK_EQ(nr, 4096 * 8);
}

/* ---- whole path: bytes in, verdict out ---- */

TEST(slot_to_verdict_both_abis)
{
	enum xbng_abi abis[] = ABIS;
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	struct xbng_limits l = lim_all();
	struct xbng_req_plan plan;
	struct xbng_req r;
	unsigned int a;
	u64 nr;

	for (a = 0; a < 2; a++) {
		memset(slot, 0xaa, sizeof(slot));
		wire_rw(abis[a], slot, XBNG_OP_WRITE, 2, 0, 9, TB - 9);
		wire_rw_seg(abis[a], slot, 0, 5, 0, 7);
		wire_rw_seg(abis[a], slot, 1, 6, 0, 0);
		xbng_req_decode(abis[a], slot, &r);
		CHECK_EQ(xbng_req_check(&r, &l, &plan), XBNG_REQ_OK);
		CHECK_EQ(xbng_segs_check(r.seg, plan.nr_segs, r.sector_number,
					 &l, &nr), XBNG_REQ_OK);
		CHECK_EQ(nr, 9);
		wire_rw_seg(abis[a], slot, 1, 6, 0, 1);
		xbng_req_decode(abis[a], slot, &r);
		CHECK_EQ(xbng_segs_check(r.seg, plan.nr_segs, r.sector_number,
					 &l, &nr), XBNG_REQ_PAST_END);
	}
}

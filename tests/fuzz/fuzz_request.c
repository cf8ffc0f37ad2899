// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary ring slot bytes and arbitrary limits through
 * xbng_req_decode(), xbng_req_check() and xbng_segs_check(), in both ABIs,
 * then the response.  The verdicts are compared with properties that any
 * correct check must have, and segs_check with an independent reference
 * that uses 128-bit arithmetic (so it cannot share an overflow bug).
 *
 * Input: [0] abi, [1] feature flags, [2..3] max_indirect_segs,
 * [4] logical block size, [5..12] device sectors, [13..] the slot, then
 * the bytes of the indirect pages.  Short inputs are padded with zeros.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define HDR 13

#define ASSERT(c) do { if (!(c)) __builtin_trap(); } while (0)

static u64 take(const u8 *d, size_t size, size_t off, size_t n)
{
	u64 v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (off + i < size)
			v |= (u64)d[off + i] << (8 * i);
	return v;
}

static void limits_from(const u8 *d, size_t size, struct xbng_limits *l)
{
	unsigned int flags = (unsigned int)take(d, size, 1, 1);
	unsigned int lbs = (unsigned int)take(d, size, 4, 1);

	memset(l, 0, sizeof(*l));
	l->readonly = flags & 1;
	l->discard = flags & 2;
	l->secure_discard = flags & 4;
	l->flush = flags & 8;
	l->barrier = flags & 16;
	l->max_indirect_segs = (u32)take(d, size, 2, 2);
	if (flags & 32)
		l->max_indirect_segs = 0xffffffffu;
	/* Mostly sane powers of two, sometimes any value at all. */
	if (lbs & 0x80)
		l->logical_block_size = lbs * 0x01010101u;
	else
		l->logical_block_size = 1u << (lbs % 20);
	l->dev_sectors = take(d, size, 5, 8);
	if (flags & 64)
		l->dev_sectors = UINT64_MAX - (l->dev_sectors & 0xff);
}

/* The reference: what segs_check must answer. */
static enum xbng_req_err ref_segs(const struct xbng_seg *s, unsigned int n,
				  u64 sector, const struct xbng_limits *l,
				  u64 *nr)
{
	unsigned __int128 total = 0;
	u32 lbs = l->logical_block_size;
	u64 spb;
	unsigned int i;

	*nr = 0;
	if (n == 0)
		return XBNG_REQ_OK;
	for (i = 0; i < n; i++)
		if (s[i].first_sect > s[i].last_sect || s[i].last_sect > 7)
			return XBNG_REQ_BAD_SECT;
	if (lbs < 512 || __builtin_popcount(lbs) != 1)
		return XBNG_REQ_MISALIGNED;
	spb = lbs / 512;
	if (sector % spb)
		return XBNG_REQ_MISALIGNED;
	for (i = 0; i < n; i++) {
		unsigned int nsec = s[i].last_sect - s[i].first_sect + 1u;

		if (nsec % spb)
			return XBNG_REQ_MISALIGNED;
		total += nsec;
	}
	if ((unsigned __int128)sector + total > l->dev_sectors)
		return XBNG_REQ_PAST_END;
	*nr = (u64)total;
	return XBNG_REQ_OK;
}

static void check_segs(const struct xbng_seg *s, unsigned int n, u64 sector,
		       const struct xbng_limits *l)
{
	enum xbng_req_err got, want;
	u64 nr_got, nr_want;

	got = xbng_segs_check(s, n, sector, l, &nr_got);
	want = ref_segs(s, n, sector, l, &nr_want);
	ASSERT(got == want);
	ASSERT(nr_got == nr_want);
}

static void check_plan(const struct xbng_req *r, const struct xbng_limits *l,
		       const struct xbng_req_plan *p)
{
	unsigned int max;

	switch (r->operation) {
	case XBNG_OP_READ:
		ASSERT(p->kind == XBNG_KIND_READ);
		ASSERT(p->nr_segs >= 1 && p->nr_segs <= 11);
		break;
	case XBNG_OP_WRITE:
		ASSERT(p->kind == XBNG_KIND_WRITE && !l->readonly);
		ASSERT(p->nr_segs >= 1 && p->nr_segs <= 11);
		break;
	case XBNG_OP_FLUSH_DISKCACHE:
		ASSERT(p->kind == XBNG_KIND_FLUSH && l->flush);
		ASSERT(p->nr_segs <= 11);
		ASSERT(!l->readonly || p->nr_segs == 0);
		break;
	case XBNG_OP_WRITE_BARRIER:
		ASSERT(p->kind == XBNG_KIND_BARRIER && l->barrier);
		ASSERT(p->nr_segs <= 11 && !l->readonly);
		break;
	case XBNG_OP_DISCARD:
		ASSERT(p->kind == XBNG_KIND_DISCARD && l->discard);
		ASSERT(!l->readonly && p->nr_segs == 0);
		ASSERT(!p->secure || l->secure_discard);
		ASSERT((unsigned __int128)r->sector_number + r->nr_sectors <=
		       l->dev_sectors);
		ASSERT(l->logical_block_size >= 512);
		ASSERT(!((r->sector_number | r->nr_sectors) %
			 (l->logical_block_size / 512)));
		break;
	case XBNG_OP_INDIRECT:
		max = l->max_indirect_segs;
		if (max > 4096)
			max = 4096;
		ASSERT(p->nr_segs >= 1 && p->nr_segs <= max);
		ASSERT(p->nr_indirect_pages >= 1 &&
		       p->nr_indirect_pages <= XBNG_MAX_INDIRECT_PAGES);
		ASSERT(p->nr_indirect_pages ==
		       (p->nr_segs + XBNG_SEGS_PER_INDIRECT_PAGE - 1) /
		       XBNG_SEGS_PER_INDIRECT_PAGE);
		ASSERT(r->indirect_op == XBNG_OP_READ ||
		       (r->indirect_op == XBNG_OP_WRITE && !l->readonly));
		break;
	default:
		ASSERT(0);
	}
	if (r->operation != XBNG_OP_INDIRECT)
		ASSERT(p->nr_indirect_pages == 0);
}

static void check_response(enum xbng_abi abi, const struct xbng_req *r,
			   enum xbng_req_err err)
{
	unsigned char slot[XBNG_SLOT_SIZE_MAX];
	unsigned int size = xbng_rsp_size(abi), i;
	s16 status = xbng_req_err_status(err);
	const char *str = xbng_req_err_str(err);

	ASSERT(str && *str);
	ASSERT(err == XBNG_REQ_OK ? status == XBNG_RSP_OKAY :
	       status == XBNG_RSP_ERROR || status == XBNG_RSP_EOPNOTSUPP);
	memset(slot, 0xaa, sizeof(slot));
	xbng_rsp_encode(abi, slot, r->id, r->operation, status);
	ASSERT(take(slot, size, 0, 8) == r->id);
	ASSERT(slot[8] == r->operation && slot[9] == 0);
	ASSERT((s16)take(slot, size, 10, 2) == status);
	for (i = 12; i < size; i++)
		ASSERT(slot[i] == 0);
	for (i = size; i < sizeof(slot); i++)
		ASSERT(slot[i] == 0xaa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xbng_seg segs[XBNG_MAX_INDIRECT_PAGES *
				    XBNG_SEGS_PER_INDIRECT_PAGE];
	enum xbng_abi abi = (enum xbng_abi)(take(data, size, 0, 1) & 1);
	size_t slot_size = xbng_slot_size(abi), avail, i;
	struct xbng_req_plan plan;
	struct xbng_limits lim;
	enum xbng_req_err err;
	struct xbng_req req;
	u8 *slot, *pages;

	limits_from(data, size, &lim);
	/* Exactly slot_size bytes on the heap: ASan sees any overread. */
	slot = calloc(1, slot_size);
	if (!slot)
		return 0;
	if (size > HDR)
		memcpy(slot, data + HDR, size - HDR < slot_size ?
		       size - HDR : slot_size);
	xbng_req_decode(abi, slot, &req);
	free(slot);

	err = xbng_req_check(&req, &lim, &plan);
	ASSERT((unsigned int)err < XBNG_REQ_ERR_COUNT);
	check_response(abi, &req, err);
	if (err != XBNG_REQ_OK)
		return 0;
	check_plan(&req, &lim, &plan);

	if (req.operation != XBNG_OP_INDIRECT) {
		if (req.operation != XBNG_OP_DISCARD)
			check_segs(req.seg, plan.nr_segs, req.sector_number,
				   &lim);
		return 0;
	}

	/* Indirect: the rest of the input is the mapped pages. */
	avail = size > HDR + slot_size ? size - HDR - slot_size : 0;
	pages = calloc(plan.nr_indirect_pages, XBNG_PAGE_SIZE);
	if (!pages)
		return 0;
	if (avail > (size_t)plan.nr_indirect_pages * XBNG_PAGE_SIZE)
		avail = (size_t)plan.nr_indirect_pages * XBNG_PAGE_SIZE;
	if (avail)
		memcpy(pages, data + HDR + slot_size, avail);
	/* One page at a time, as the ring code maps them. */
	for (i = 0; i < plan.nr_indirect_pages; i++) {
		unsigned int first = (unsigned int)i *
				     XBNG_SEGS_PER_INDIRECT_PAGE;
		unsigned int n = plan.nr_segs - first;

		if (n > XBNG_SEGS_PER_INDIRECT_PAGE)
			n = XBNG_SEGS_PER_INDIRECT_PAGE;
		xbng_indirect_segs_decode(pages + i * XBNG_PAGE_SIZE, 0, n,
					  segs + first);
	}
	free(pages);
	check_segs(segs, plan.nr_segs, req.sector_number, &lim);
	return 0;
}

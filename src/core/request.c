// SPDX-License-Identifier: GPL-2.0
/*
 * Guest requests: decoding from a private copy of a ring slot, validation
 * against what this connection negotiated, and response encoding.
 *
 * The guest controls every byte decoded here, so nothing is trusted until
 * xbng_req_check() and xbng_segs_check() have said so, and every check is
 * written to be free of arithmetic overflow.
 */
#include "request.h"

/*
 * Byte offsets inside a ring slot, per ABI.  blkif.h describes the x86_64
 * layout (with the _pad u32 fields); a 32-bit guest's layout is the same
 * without those paddings, so everything after the u16 at offset 2 moves down
 * by 4 bytes.  The operation byte is at offset 0 in both.
 */
struct xbng_layout {
	u8 id;			/* u64, at the same place for every op */
	u8 sector;		/* u64 sector_number (rw, discard, indirect) */
	u8 rw_seg;		/* first of the 11 direct segments */
	u8 discard_nr;		/* u64 discard nr_sectors */
	u8 ind_handle;		/* u16 indirect handle */
	u8 ind_grefs;		/* first of the 8 indirect page grants */
	u8 slot_size;
	u8 rsp_size;
};

static const struct xbng_layout xbng_layouts[XBNG_ABI_COUNT] = {
	[XBNG_ABI_X86_64] = {
		.id = 8,
		.sector = 16,
		.rw_seg = 24,
		.discard_nr = 24,
		.ind_handle = 24,
		.ind_grefs = 28,
		.slot_size = XBNG_SLOT_SIZE_X86_64,
		.rsp_size = XBNG_RSP_SIZE_X86_64,
	},
	[XBNG_ABI_X86_32] = {
		.id = 4,
		.sector = 12,
		.rw_seg = 20,
		.discard_nr = 20,
		.ind_handle = 20,
		.ind_grefs = 24,
		.slot_size = XBNG_SLOT_SIZE_X86_32,
		.rsp_size = XBNG_RSP_SIZE_X86_32,
	},
};

/* Offsets common to both ABIs: the header before the first padding. */
#define XBNG_OFF_OP		0
#define XBNG_OFF_NR_SEGS	1	/* u8 nr_segments / discard flag */
#define XBNG_OFF_HANDLE		2	/* u16 handle (rw) */
#define XBNG_OFF_IND_OP		1	/* u8 indirect_op */
#define XBNG_OFF_IND_NR_SEGS	2	/* u16 indirect nr_segments */

/* Inside a struct blkif_request_segment (8 bytes, 2 of them padding). */
#define XBNG_SEG_OFF_GREF	0
#define XBNG_SEG_OFF_FIRST	4
#define XBNG_SEG_OFF_LAST	5

/* Inside a response: u64 id, u8 operation, pad, s16 status, pad. */
#define XBNG_RSP_OFF_ID		0
#define XBNG_RSP_OFF_OP		8
#define XBNG_RSP_OFF_STATUS	10

/*
 * An ABI value outside the enum would index past xbng_layouts; it can only
 * come from a bug in dom0, so fall back to the native layout rather than
 * read out of bounds.
 */
static const struct xbng_layout *xbng_layout(enum xbng_abi abi)
{
	if ((unsigned int)abi >= XBNG_ABI_COUNT)
		abi = XBNG_ABI_X86_64;
	return &xbng_layouts[abi];
}

/*
 * Little-endian loads and stores byte by byte: the slot copy has no
 * alignment guarantee for its 64-bit fields (x86_32 puts them at offset 4),
 * and assembling bytes is correct on either host byte order without any
 * unaligned access helper, whose header moved between kernel versions.
 */
static u16 xbng_get_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static u32 xbng_get_le32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static u64 xbng_get_le64(const u8 *p)
{
	return (u64)xbng_get_le32(p) | ((u64)xbng_get_le32(p + 4) << 32);
}

static void xbng_put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void xbng_put_le64(u8 *p, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

unsigned int xbng_slot_size(enum xbng_abi abi)
{
	return xbng_layout(abi)->slot_size;
}

unsigned int xbng_rsp_size(enum xbng_abi abi)
{
	return xbng_layout(abi)->rsp_size;
}

unsigned int xbng_ring_slots(enum xbng_abi abi, unsigned int nr_pages)
{
	unsigned int size = xbng_slot_size(abi), slots;
	u64 bytes;

	if (nr_pages == 0)
		return 0;
	/* In 64 bits: nr_pages * 4096 overflows 32 bits from 2^20 pages. */
	bytes = (u64)nr_pages * XBNG_PAGE_SIZE - XBNG_SRING_HDR_SIZE;
	if (bytes < size)
		return 0;
	/*
	 * ring.h's __RD32: the most slots that fit, rounded down to a power
	 * of two.  Found by doubling with multiplications only, because a
	 * 64-bit division would need div_u64() on 32-bit kernels.  Saturates
	 * at 2^31 (an unsigned int), far above any real ring order.
	 */
	slots = 1;
	while (slots < 0x80000000u && (u64)slots * 2 * size <= bytes)
		slots <<= 1;
	return slots;
}

static void xbng_seg_decode(const u8 *p, struct xbng_seg *seg)
{
	seg->gref = xbng_get_le32(p + XBNG_SEG_OFF_GREF);
	seg->first_sect = p[XBNG_SEG_OFF_FIRST];
	seg->last_sect = p[XBNG_SEG_OFF_LAST];
}

void xbng_req_decode(enum xbng_abi abi, const void *slot, struct xbng_req *req)
{
	const struct xbng_layout *l = xbng_layout(abi);
	const u8 *p = slot;
	unsigned int i;

	/* Fields the operation does not use read as 0, never as stale data. */
	memset(req, 0, sizeof(*req));
	req->operation = p[XBNG_OFF_OP];
	req->id = xbng_get_le64(p + l->id);

	switch (req->operation) {
	case XBNG_OP_INDIRECT:
		req->indirect_op = p[XBNG_OFF_IND_OP];
		req->nr_segments = xbng_get_le16(p + XBNG_OFF_IND_NR_SEGS);
		req->sector_number = xbng_get_le64(p + l->sector);
		req->handle = xbng_get_le16(p + l->ind_handle);
		for (i = 0; i < XBNG_MAX_INDIRECT_PAGES; i++)
			req->indirect_grefs[i] =
				xbng_get_le32(p + l->ind_grefs + 4 * i);
		break;
	case XBNG_OP_DISCARD:
		req->discard_flag = p[XBNG_OFF_NR_SEGS];
		req->sector_number = xbng_get_le64(p + l->sector);
		req->nr_sectors = xbng_get_le64(p + l->discard_nr);
		break;
	default:
		/*
		 * READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE and unknown
		 * operations: the rw layout.  All 11 segment slots are part of
		 * every slot, so decoding them all never reads out of bounds,
		 * whatever nr_segments claims.
		 */
		req->nr_segments = p[XBNG_OFF_NR_SEGS];
		req->handle = xbng_get_le16(p + XBNG_OFF_HANDLE);
		req->sector_number = xbng_get_le64(p + l->sector);
		for (i = 0; i < XBNG_MAX_DIRECT_SEGS; i++)
			xbng_seg_decode(p + l->rw_seg + XBNG_SEG_WIRE_SIZE * i,
					&req->seg[i]);
		break;
	}
}

void xbng_indirect_segs_decode(const void *page, unsigned int first,
			       unsigned int n, struct xbng_seg *out)
{
	const u8 *p = page;
	unsigned int i;

	/*
	 * The caller bounds first + n by the entries of the pages it mapped
	 * (xbng_req_check() limits n to what XBNG_MAX_INDIRECT_PAGES hold).
	 */
	for (i = 0; i < n; i++)
		xbng_seg_decode(p + (size_t)(first + i) * XBNG_SEG_WIRE_SIZE,
				&out[i]);
}

void xbng_rsp_encode(enum xbng_abi abi, void *slot, u64 id, u8 operation,
		     s16 status)
{
	u8 *p = slot;

	/*
	 * Build the response in place from zero: the padding bytes (9 and,
	 * for x86_64, 12..15) must not carry whatever the slot held, which
	 * is how XSA-216 leaked dom0 memory.
	 */
	memset(p, 0, xbng_rsp_size(abi));
	xbng_put_le64(p + XBNG_RSP_OFF_ID, id);
	p[XBNG_RSP_OFF_OP] = operation;
	xbng_put_le16(p + XBNG_RSP_OFF_STATUS, (u16)status);
}

u8 xbng_rsp_operation(const struct xbng_req *req)
{
	if (req->operation == XBNG_OP_INDIRECT)
		return req->indirect_op;
	return req->operation;
}

s16 xbng_req_err_status(enum xbng_req_err err)
{
	switch (err) {
	case XBNG_REQ_OK:
		return XBNG_RSP_OKAY;
	case XBNG_REQ_UNKNOWN_OP:
	case XBNG_REQ_UNSUPPORTED:
		/* Lets the frontend fall back (e.g. stop sending barriers). */
		return XBNG_RSP_EOPNOTSUPP;
	default:
		return XBNG_RSP_ERROR;
	}
}

static const char * const xbng_req_err_strs[XBNG_REQ_ERR_COUNT] = {
	[XBNG_REQ_OK] = "ok",
	[XBNG_REQ_UNKNOWN_OP] = "unknown operation",
	[XBNG_REQ_UNSUPPORTED] = "operation not advertised",
	[XBNG_REQ_BAD_INDIRECT_OP] = "bad indirect operation",
	[XBNG_REQ_BAD_NR_SEGS] = "bad number of segments",
	[XBNG_REQ_BAD_SECT] = "bad first/last sector",
	[XBNG_REQ_PAST_END] = "range beyond device",
	[XBNG_REQ_MISALIGNED] = "not aligned to logical block",
	[XBNG_REQ_READONLY] = "write to read-only device",
};

const char *xbng_req_err_str(enum xbng_req_err err)
{
	if ((unsigned int)err >= XBNG_REQ_ERR_COUNT)
		return "invalid error";
	return xbng_req_err_strs[err];
}

/*
 * Logical block size in sectors minus one, as an alignment mask.  The
 * limits come from dom0, but a size that is not a power of two >= 512 would
 * make the mask meaningless, so such limits refuse every ranged request
 * (fail closed) instead of letting misaligned I/O through.
 */
static bool xbng_lbs_mask(const struct xbng_limits *lim, u64 *mask)
{
	u32 lbs = lim->logical_block_size;

	if (lbs < 512 || (lbs & (lbs - 1)))
		return false;
	*mask = (lbs >> XBNG_SECTOR_SHIFT) - 1;
	return true;
}

/* [sector, sector + nr) inside the device, written so nothing can wrap. */
static bool xbng_range_fits(u64 sector, u64 nr, u64 dev_sectors)
{
	return nr <= dev_sectors && sector <= dev_sectors - nr;
}

static enum xbng_req_err xbng_check_discard(const struct xbng_req *req,
					    const struct xbng_limits *lim,
					    struct xbng_req_plan *plan)
{
	u64 mask;

	if (!lim->discard)
		return XBNG_REQ_UNSUPPORTED;
	if (lim->readonly)
		return XBNG_REQ_READONLY;
	/*
	 * nr_sectors == 0 is accepted as a no-op (the stock backend passes it
	 * to blkdev_issue_discard(), which does nothing); the start must still
	 * be aligned and inside the device so that a zero-length request is
	 * no way to probe past the end.  The I/O code answers it without
	 * submitting anything.
	 */
	if (!xbng_lbs_mask(lim, &mask) ||
	    ((req->sector_number | req->nr_sectors) & mask))
		return XBNG_REQ_MISALIGNED;
	if (!xbng_range_fits(req->sector_number, req->nr_sectors,
			     lim->dev_sectors))
		return XBNG_REQ_PAST_END;

	plan->kind = XBNG_KIND_DISCARD;
	/* Secure erase only if we offered it; otherwise a plain discard. */
	plan->secure = (req->discard_flag & XBNG_DISCARD_SECURE) &&
		       lim->secure_discard;
	return XBNG_REQ_OK;
}

static enum xbng_req_err xbng_check_indirect(const struct xbng_req *req,
					     const struct xbng_limits *lim,
					     struct xbng_req_plan *plan)
{
	unsigned int max_segs = lim->max_indirect_segs;

	if (max_segs == 0)
		return XBNG_REQ_UNSUPPORTED;
	if (req->indirect_op != XBNG_OP_READ &&
	    req->indirect_op != XBNG_OP_WRITE)
		return XBNG_REQ_BAD_INDIRECT_OP;
	/*
	 * Whatever was negotiated, no more segments than the indirect grant
	 * array of one request can describe.
	 */
	if (max_segs > XBNG_MAX_INDIRECT_PAGES * XBNG_SEGS_PER_INDIRECT_PAGE)
		max_segs = XBNG_MAX_INDIRECT_PAGES *
			   XBNG_SEGS_PER_INDIRECT_PAGE;
	if (req->nr_segments == 0 || req->nr_segments > max_segs)
		return XBNG_REQ_BAD_NR_SEGS;
	if (req->indirect_op == XBNG_OP_WRITE && lim->readonly)
		return XBNG_REQ_READONLY;

	plan->kind = req->indirect_op == XBNG_OP_WRITE ? XBNG_KIND_WRITE :
							  XBNG_KIND_READ;
	plan->nr_segs = req->nr_segments;
	/* At most XBNG_MAX_INDIRECT_PAGES, given the bound above. */
	plan->nr_indirect_pages = (u8)DIV_ROUND_UP(req->nr_segments,
						   XBNG_SEGS_PER_INDIRECT_PAGE);
	return XBNG_REQ_OK;
}

enum xbng_req_err xbng_req_check(const struct xbng_req *req,
				 const struct xbng_limits *lim,
				 struct xbng_req_plan *plan)
{
	unsigned int min_segs = 1;
	bool writes;

	memset(plan, 0, sizeof(*plan));

	/*
	 * Order of the checks: is the operation known and offered, then is
	 * the request well formed, then is it allowed on this device.
	 */
	switch (req->operation) {
	case XBNG_OP_READ:
		plan->kind = XBNG_KIND_READ;
		writes = false;
		break;
	case XBNG_OP_WRITE:
		plan->kind = XBNG_KIND_WRITE;
		writes = true;
		break;
	case XBNG_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return XBNG_REQ_UNSUPPORTED;
		plan->kind = XBNG_KIND_FLUSH;
		min_segs = 0;
		/* A bare cache flush changes no data: fine on r/o devices. */
		writes = req->nr_segments > 0;
		break;
	case XBNG_OP_WRITE_BARRIER:
		if (!lim->barrier)
			return XBNG_REQ_UNSUPPORTED;
		plan->kind = XBNG_KIND_BARRIER;
		min_segs = 0;
		writes = true;
		break;
	case XBNG_OP_DISCARD:
		return xbng_check_discard(req, lim, plan);
	case XBNG_OP_INDIRECT:
		return xbng_check_indirect(req, lim, plan);
	default:
		return XBNG_REQ_UNKNOWN_OP;
	}

	if (req->nr_segments < min_segs ||
	    req->nr_segments > XBNG_MAX_DIRECT_SEGS)
		return XBNG_REQ_BAD_NR_SEGS;
	if (writes && lim->readonly)
		return XBNG_REQ_READONLY;
	plan->nr_segs = req->nr_segments;
	return XBNG_REQ_OK;
}

enum xbng_req_err xbng_segs_check(const struct xbng_seg *segs, unsigned int n,
				  u64 sector, const struct xbng_limits *lim,
				  u64 *nr_sectors)
{
	u64 total = 0, mask;
	unsigned int i;

	*nr_sectors = 0;
	/* A flush without data: the sector number means nothing. */
	if (n == 0)
		return XBNG_REQ_OK;

	for (i = 0; i < n; i++) {
		if (segs[i].last_sect >= XBNG_SECTORS_PER_PAGE ||
		    segs[i].first_sect > segs[i].last_sect)
			return XBNG_REQ_BAD_SECT;
	}

	if (!xbng_lbs_mask(lim, &mask) || (sector & mask))
		return XBNG_REQ_MISALIGNED;
	for (i = 0; i < n; i++) {
		u64 nsec = (u64)segs[i].last_sect - segs[i].first_sect + 1;

		/*
		 * Each segment becomes one bio_vec; like the stock backend,
		 * require every one of them to hold whole logical blocks, not
		 * only the total, so no driver sees a partial block in a
		 * vector.
		 */
		if (nsec & mask)
			return XBNG_REQ_MISALIGNED;
		/* At most 8 per segment: no overflow for any 32-bit n. */
		total += nsec;
	}

	if (!xbng_range_fits(sector, total, lim->dev_sectors))
		return XBNG_REQ_PAST_END;
	*nr_sectors = total;
	return XBNG_REQ_OK;
}

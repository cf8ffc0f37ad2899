/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest requests: decoding from the shared ring, validation, responses.
 *
 * Everything here is pure C and builds in user space too, so the unit tests
 * and the fuzzers run exactly the code that the kernel runs.  The kernel's
 * include/xen/interface/io/blkif.h is the definition of the protocol; the
 * kernel build checks with static assertions (src/ring.c) that the numbers
 * below agree with it for the native ABI.  The x86_32 and x86_64 layouts are
 * needed because a 32-bit guest on a 64-bit dom0 lays its ring out with
 * 4-byte alignment of 64-bit fields; blkif.h only describes the build's own
 * layout.
 *
 * Every field of a request is guest-controlled.  The ring code copies a
 * request out of shared memory exactly once (into a byte buffer), decodes it
 * with xbng_req_decode() and from then on only looks at the private copy.
 */
#ifndef XBNG_CORE_REQUEST_H
#define XBNG_CORE_REQUEST_H

#include "xbng_types.h"

/* Operations (values of blkif.h BLKIF_OP_*). */
#define XBNG_OP_READ		0
#define XBNG_OP_WRITE		1
#define XBNG_OP_WRITE_BARRIER	2
#define XBNG_OP_FLUSH_DISKCACHE	3
#define XBNG_OP_DISCARD		5
#define XBNG_OP_INDIRECT	6

/* Response status (blkif.h BLKIF_RSP_*). */
#define XBNG_RSP_OKAY		0
#define XBNG_RSP_ERROR		(-1)
#define XBNG_RSP_EOPNOTSUPP	(-2)

#define XBNG_DISCARD_SECURE	0x1	/* BLKIF_DISCARD_SECURE */

#define XBNG_MAX_DIRECT_SEGS	11	/* BLKIF_MAX_SEGMENTS_PER_REQUEST */
#define XBNG_MAX_INDIRECT_PAGES	8	/* BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST */
/* What we advertise in feature-max-indirect-segments (stock: 256). */
#define XBNG_MAX_INDIRECT_SEGS	256

#define XBNG_PAGE_SIZE		4096u
#define XBNG_SECTOR_SHIFT	9
#define XBNG_SECTORS_PER_PAGE	(XBNG_PAGE_SIZE >> XBNG_SECTOR_SHIFT)
/* An indirect page is an array of 8-byte blkif_request_segment. */
#define XBNG_SEG_WIRE_SIZE	8
#define XBNG_SEGS_PER_INDIRECT_PAGE (XBNG_PAGE_SIZE / XBNG_SEG_WIRE_SIZE)

/* Offset of the first ring entry in a shared ring page (sring header). */
#define XBNG_SRING_HDR_SIZE	64

enum xbng_abi {
	XBNG_ABI_X86_64 = 0,	/* also the native ABI of an x86_64 dom0 */
	XBNG_ABI_X86_32 = 1,
	XBNG_ABI_COUNT
};

/* Bytes of one ring slot (union of request and response) per ABI. */
#define XBNG_SLOT_SIZE_X86_64	112
#define XBNG_SLOT_SIZE_X86_32	108
#define XBNG_SLOT_SIZE_MAX	112
/* Bytes of a response per ABI (what xbng_rsp_encode() writes). */
#define XBNG_RSP_SIZE_X86_64	16
#define XBNG_RSP_SIZE_X86_32	12

unsigned int xbng_slot_size(enum xbng_abi abi);
unsigned int xbng_rsp_size(enum xbng_abi abi);

/*
 * Number of request slots in a shared ring of @nr_pages pages: as many as fit
 * after the header, rounded down to a power of two (ring.h __RING_SIZE).
 */
unsigned int xbng_ring_slots(enum xbng_abi abi, unsigned int nr_pages);

struct xbng_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
};

/* A request as the guest sent it, decoded into private memory. */
struct xbng_req {
	u8 operation;		/* XBNG_OP_*, possibly unknown */
	u8 indirect_op;		/* for XBNG_OP_INDIRECT */
	u8 discard_flag;	/* for XBNG_OP_DISCARD */
	u16 handle;
	u16 nr_segments;	/* u8 on the wire for direct requests */
	u64 id;
	u64 sector_number;
	u64 nr_sectors;		/* for XBNG_OP_DISCARD */
	u32 indirect_grefs[XBNG_MAX_INDIRECT_PAGES];
	struct xbng_seg seg[XBNG_MAX_DIRECT_SEGS];	/* direct requests */
};

/*
 * Decode one ring slot (xbng_slot_size(abi) bytes, already copied out of the
 * shared page) into @req.  Any byte string decodes; nothing is checked here.
 */
void xbng_req_decode(enum xbng_abi abi, const void *slot, struct xbng_req *req);

/* Decode @n segments from an indirect page's bytes, starting at entry @first. */
void xbng_indirect_segs_decode(const void *page, unsigned int first,
			       unsigned int n, struct xbng_seg *out);

/*
 * Write a complete response (xbng_rsp_size(abi) bytes, padding zeroed so no
 * dom0 memory reaches the guest, XSA-216) into @slot.
 */
void xbng_rsp_encode(enum xbng_abi abi, void *slot, u64 id, u8 operation,
		     s16 status);

/*
 * The operation a response must carry: the request's own, except that an
 * indirect request is answered with the operation it wraps (frontends check
 * this and disable the disk on a mismatch).
 */
u8 xbng_rsp_operation(const struct xbng_req *req);

/* What the backend can do for this connection; latched at connect. */
struct xbng_limits {
	u64 dev_sectors;		/* device size in 512-byte sectors */
	u32 logical_block_size;		/* bytes, power of two >= 512 */
	u32 max_indirect_segs;		/* negotiated; 0 = no indirect */
	bool readonly;
	bool discard;			/* feature-discard advertised */
	bool secure_discard;		/* discard-secure advertised */
	bool flush;			/* feature-flush-cache advertised */
	bool barrier;			/* feature-barrier advertised */
};

/* The effective kind of a request once the indirect wrapper is removed. */
enum xbng_kind {
	XBNG_KIND_READ,
	XBNG_KIND_WRITE,
	XBNG_KIND_FLUSH,	/* FLUSH_DISKCACHE: preflush, optional data */
	XBNG_KIND_BARRIER,	/* WRITE_BARRIER: drain, preflush, FUA data */
	XBNG_KIND_DISCARD,
};

/* Why a request was refused; XBNG_REQ_OK (0) means it may proceed. */
enum xbng_req_err {
	XBNG_REQ_OK = 0,
	XBNG_REQ_UNKNOWN_OP,		/* EOPNOTSUPP */
	XBNG_REQ_UNSUPPORTED,		/* op not advertised: EOPNOTSUPP */
	XBNG_REQ_BAD_INDIRECT_OP,	/* indirect wrapping non READ/WRITE */
	XBNG_REQ_BAD_NR_SEGS,		/* 0 for READ/WRITE, or above max */
	XBNG_REQ_BAD_SECT,		/* first > last, or last past page */
	XBNG_REQ_PAST_END,		/* range beyond the device, or wraps */
	XBNG_REQ_MISALIGNED,		/* not in logical blocks */
	XBNG_REQ_READONLY,		/* write or discard on a r/o device */
	XBNG_REQ_ERR_COUNT
};

/* The blkif status to answer a refused request with. */
s16 xbng_req_err_status(enum xbng_req_err err);
/* A short text for rate-limited log lines. */
const char *xbng_req_err_str(enum xbng_req_err err);

/* A request that passed the header check. */
struct xbng_req_plan {
	enum xbng_kind kind;
	u16 nr_segs;			/* data segments (0 for flush/discard) */
	u8 nr_indirect_pages;		/* indirect pages to map, else 0 */
	bool secure;			/* secure discard */
};

/*
 * Check everything that can be checked before mapping any grant: operation,
 * feature negotiated, segment count, discard range, read-only.  Fills @plan
 * on success.  Segment contents are checked by xbng_segs_check() (for
 * indirect requests only after the indirect pages are mapped and copied).
 * A DISCARD of 0 sectors passes as a no-op (nothing to submit) when its
 * start is aligned and inside the device.
 */
enum xbng_req_err xbng_req_check(const struct xbng_req *req,
				 const struct xbng_limits *lim,
				 struct xbng_req_plan *plan);

/*
 * Check @n segments of a READ/WRITE/FLUSH/BARRIER request starting at
 * @sector: each first_sect <= last_sect < XBNG_SECTORS_PER_PAGE, the total
 * in logical blocks, and the whole range inside the device without 64-bit
 * overflow.  Stores the total number of 512-byte sectors in @nr_sectors.
 * Each segment must hold whole logical blocks (one bio_vec each, as in the
 * stock backend); a logical_block_size that is not a power of two >= 512
 * refuses everything as MISALIGNED.
 */
enum xbng_req_err xbng_segs_check(const struct xbng_seg *segs, unsigned int n,
				  u64 sector, const struct xbng_limits *lim,
				  u64 *nr_sectors);

#endif /* XBNG_CORE_REQUEST_H */

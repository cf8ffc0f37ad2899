// SPDX-License-Identifier: GPL-2.0
/*
 * The block-device side: turning a mapped request into bios, their
 * completion, and discard.
 *
 * Bio completion runs in interrupt context; it records the status and hands
 * the request back to its ring's thread (xbng_ring_complete), which unmaps
 * the grants and answers the frontend, unless the request needs no unmapping:
 * then the completion answers it at once, and the thread recycles its
 * descriptor the next time it runs.
 */
#include <linux/bio.h>

#include "common.h"

static void xbng_bio_end_io(struct bio *bio)
{
	struct xbng_pending *req = bio->bi_private;

	if (bio->bi_status)
		WRITE_ONCE(req->status, bio->bi_status);
	if (atomic_dec_and_test(&req->bios_left))
		xbng_ring_complete(req);
	bio_put(bio);
}

static blk_opf_t kind_to_opf(enum xbng_kind kind)
{
	switch (kind) {
	case XBNG_KIND_READ:
		return REQ_OP_READ;
	case XBNG_KIND_FLUSH:
		return REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH;
	case XBNG_KIND_BARRIER:
		return REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA;
	default:
		return REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
	}
}

static struct bio *new_bio(struct xbng_pending *req, struct block_device *bdev,
			   sector_t sector, unsigned int nr_vecs,
			   blk_opf_t opf)
{
	struct bio *bio = xbng_bio_alloc(bdev, nr_vecs, opf, GFP_NOIO);

	bio->bi_iter.bi_sector = sector;
	bio->bi_private = req;
	bio->bi_end_io = xbng_bio_end_io;
	atomic_inc(&req->bios_left);
	return bio;
}

/*
 * Submit @req, whose segments are mapped.  The segments of a request are
 * consecutive on the disk whatever their offsets in the guest's pages.
 */
void xbng_io_submit(struct xbng_pending *req, u64 sector)
{
	struct block_device *bdev = req->ring->dev->bdev.bdev;
	blk_opf_t opf = kind_to_opf(req->kind);
	struct bio *bio = NULL;
	unsigned int i;

	/* Our own reference: completion cannot run before all are sent. */
	atomic_set(&req->bios_left, 1);

	for (i = 0; i < req->nr_segs; i++) {
		struct xbng_seg_map *seg = xbng_req_seg(req, i);
		unsigned int off = seg->first_sect << SECTOR_SHIFT;
		unsigned int len = (seg->last_sect - seg->first_sect + 1) <<
				   SECTOR_SHIFT;

		if (!bio || bio_add_page(bio, seg->page, len, off) != len) {
			if (bio)
				submit_bio(bio);
			bio = new_bio(req, bdev, sector,
				      min_t(unsigned int, req->nr_segs - i,
					    BIO_MAX_VECS), opf);
			/* A fresh bio has room for one page; never loop. */
			if (bio_add_page(bio, seg->page, len, off) != len) {
				atomic_dec(&req->bios_left);
				bio_put(bio);
				req->status = BLK_STS_IOERR;
				goto out;
			}
		}
		sector += len >> SECTOR_SHIFT;
	}
	/* A flush without data is one empty bio. */
	if (!req->nr_segs)
		bio = new_bio(req, bdev, sector, 0, opf);
	submit_bio(bio);
out:
	if (atomic_dec_and_test(&req->bios_left))
		xbng_ring_complete(req);
}

/* Discard synchronously, as the thread has nothing better to do meanwhile. */
s16 xbng_io_discard(struct xbng_ring *ring, const struct xbng_req *req,
		    bool secure)
{
	struct block_device *bdev = ring->dev->bdev.bdev;
	int err;

	if (!req->nr_sectors)
		return XBNG_RSP_OKAY;
	err = xbng_issue_discard(bdev, req->sector_number, req->nr_sectors,
				 GFP_KERNEL, secure);
	if (err == -EOPNOTSUPP)
		return XBNG_RSP_EOPNOTSUPP;
	if (err) {
		xbng_warn(ring->dev, "ring %u: discard failed (%d)\n",
			  ring->index, err);
		return XBNG_RSP_ERROR;
	}
	return XBNG_RSP_OKAY;
}

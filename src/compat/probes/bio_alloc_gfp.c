// SPDX-License-Identifier: GPL-2.0
/*
 * bio_alloc_gfp: bio_alloc(gfp, nr_vecs), followed by bio_set_dev() and an
 * assignment of bi_opf: the form before mainline 5.18.  Excludes
 * bio_alloc_bdev.
 */
#include <linux/bio.h>

struct bio *xbng_probe(struct block_device *bdev);
struct bio *xbng_probe(struct block_device *bdev)
{
	struct bio *bio = bio_alloc(GFP_NOIO, 1);

	bio_set_dev(bio, bdev);
	bio->bi_opf = REQ_OP_READ;
	return bio;
}

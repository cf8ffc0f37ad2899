// SPDX-License-Identifier: GPL-2.0
/*
 * bio_alloc_bdev: bio_alloc(bdev, nr_vecs, opf, gfp), which sets the device
 * and operation itself.  Mainline 5.18 ("block: pass a block_device and opf
 * to bio_alloc").  Excludes bio_alloc_gfp.
 */
#include <linux/bio.h>

struct bio *xbng_probe(struct block_device *bdev);
struct bio *xbng_probe(struct block_device *bdev)
{
	return bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);
}

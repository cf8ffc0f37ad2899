// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_issue_discard_flags: blkdev_issue_discard(bdev, sector, nr, gfp,
 * flags) with BLKDEV_DISCARD_SECURE for secure erase, and the discard
 * queue flags: the form before mainline 5.19.  Excludes
 * blkdev_issue_discard_noflags.
 */
#include <linux/blkdev.h>

int xbng_probe(struct block_device *bdev);
int xbng_probe(struct block_device *bdev)
{
	struct request_queue *q = bdev_get_queue(bdev);

	if (!blk_queue_discard(q) || !blk_queue_secure_erase(q))
		return -EOPNOTSUPP;
	return blkdev_issue_discard(bdev, 0, 8, GFP_NOIO,
				    BLKDEV_DISCARD_SECURE);
}

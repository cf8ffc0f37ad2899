// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_issue_discard_noflags: blkdev_issue_discard(bdev, sector, nr, gfp)
 * without a flags argument.  Mainline 5.19 ("block: remove
 * BLKDEV_DISCARD_SECURE"), where secure erase moved to
 * blkdev_issue_secure_erase().  Excludes blkdev_issue_discard_flags.
 */
#include <linux/blkdev.h>

int xbng_probe(struct block_device *bdev);
int xbng_probe(struct block_device *bdev)
{
	return blkdev_issue_discard(bdev, 0, 8, GFP_NOIO);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_issue_secure_erase: mainline 5.19, together with the removal of
 * BLKDEV_DISCARD_SECURE (see blkdev_issue_discard_noflags).
 */
#include <linux/blkdev.h>

int xbng_probe(struct block_device *bdev);
int xbng_probe(struct block_device *bdev)
{
	return blkdev_issue_secure_erase(bdev, 0, 8, GFP_NOIO);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_max_discard_sectors: mainline 5.19 ("block: add a
 * bdev_max_discard_sectors helper"), which also removed blk_queue_discard()
 * and QUEUE_FLAG_DISCARD.  compat.h derives it from the queue limits when
 * missing.
 */
#include <linux/blkdev.h>

unsigned int xbng_probe(struct block_device *bdev);
unsigned int xbng_probe(struct block_device *bdev)
{
	return bdev_max_discard_sectors(bdev);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_discard_granularity: mainline 5.19 ("block: add a
 * bdev_discard_granularity helper").  Returns bytes, like the queue limit
 * it replaced.
 */
#include <linux/blkdev.h>

unsigned int xbng_probe(struct block_device *bdev);
unsigned int xbng_probe(struct block_device *bdev)
{
	return bdev_discard_granularity(bdev);
}

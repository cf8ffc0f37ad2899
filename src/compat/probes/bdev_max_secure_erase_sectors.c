// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_max_secure_erase_sectors: mainline 5.19 ("block: decouple
 * REQ_OP_SECURE_ERASE from REQ_OP_DISCARD"), which gave secure erase limits
 * of its own and removed blk_queue_secure_erase().
 */
#include <linux/blkdev.h>

unsigned int xbng_probe(struct block_device *bdev);
unsigned int xbng_probe(struct block_device *bdev)
{
	return bdev_max_secure_erase_sectors(bdev);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_write_cache: mainline 6.0 ("block: add a bdev_write_cache helper").
 * Before it, test_bit(QUEUE_FLAG_WC) on the queue (queue_flag_wc); from
 * 6.11 the queue flag is gone and only the helper works.
 */
#include <linux/blkdev.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return bdev_write_cache(bdev);
}

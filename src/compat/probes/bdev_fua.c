// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_fua: mainline 6.0 ("block: add a bdev_fua helper").  Before it,
 * test_bit(QUEUE_FLAG_FUA) on the queue (queue_flag_wc probes both flags).
 */
#include <linux/blkdev.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return bdev_fua(bdev);
}

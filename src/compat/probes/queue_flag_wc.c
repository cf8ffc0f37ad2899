// SPDX-License-Identifier: GPL-2.0
/*
 * queue_flag_wc: QUEUE_FLAG_WC and QUEUE_FLAG_FUA in q->queue_flags, the
 * way to ask for a volatile write cache and FUA before the 6.0 helpers
 * (bdev_write_cache, bdev_fua).  Removed in mainline 6.11 ("block: move
 * the write cache flags to queue_limits").
 */
#include <linux/blkdev.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	struct request_queue *q = bdev_get_queue(bdev);

	return test_bit(QUEUE_FLAG_WC, &q->queue_flags) &&
	       test_bit(QUEUE_FLAG_FUA, &q->queue_flags);
}

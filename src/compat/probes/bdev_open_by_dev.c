// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_open_by_dev: bdev_open_by_dev(dev, blk_mode_t, holder, holder_ops)
 * -> struct bdev_handle *, released with bdev_release(handle).  Mainline
 * 6.7 ("block: Provide bdev_open_* functions"); gone again in 6.9 (see
 * bdev_file_open_by_dev).  No Debian headers of 6.7/6.8 are reachable here:
 * this branch is compiled only through this probe.
 */
#include <linux/blkdev.h>

struct block_device *xbng_probe(dev_t dev, void *holder);
struct block_device *xbng_probe(dev_t dev, void *holder)
{
	struct bdev_handle *h = bdev_open_by_dev(dev, BLK_OPEN_READ |
						 BLK_OPEN_WRITE, holder, NULL);
	struct block_device *bdev;

	if (IS_ERR(h))
		return ERR_CAST(h);
	bdev = h->bdev;
	bdev_release(h);
	return bdev;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_get_by_dev_holder_ops: blkdev_get_by_dev(dev, blk_mode_t, holder,
 * holder_ops) and blkdev_put(bdev, holder): a non-NULL holder means an
 * exclusive open.  Mainline 6.5 ("block: introduce holder ops", "block:
 * use the holder as indication for exclusive opens", "block: remove the
 * unused mode argument to ->release"); blkdev_get_by_dev() removed in 6.8.
 * No Debian headers of 6.5-6.8 are reachable here: this branch is compiled
 * only through this probe.
 */
#include <linux/blkdev.h>

typedef struct block_device *(*xbng_probe_get_t)(dev_t dev, blk_mode_t mode,
						 void *holder,
						 const struct blk_holder_ops *ops);

struct block_device *xbng_probe(dev_t dev, void *holder);
struct block_device *xbng_probe(dev_t dev, void *holder)
{
	xbng_probe_get_t get = blkdev_get_by_dev;
	void (*put)(struct block_device *bdev, void *holder) = blkdev_put;
	struct block_device *bdev;

	bdev = get(dev, BLK_OPEN_READ | BLK_OPEN_WRITE, holder, NULL);
	if (!IS_ERR(bdev))
		put(bdev, holder);
	return bdev;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_get_by_dev_fmode: blkdev_get_by_dev(dev, fmode_t, holder) and
 * blkdev_put(bdev, fmode_t), exclusive only with FMODE_EXCL: the form up to
 * mainline 6.4, replaced in 6.5 (blkdev_get_by_dev_holder_ops).
 */
#include <linux/blkdev.h>

typedef struct block_device *(*xbng_probe_get_t)(dev_t dev, fmode_t mode,
						 void *holder);

struct block_device *xbng_probe(dev_t dev);
struct block_device *xbng_probe(dev_t dev)
{
	xbng_probe_get_t get = blkdev_get_by_dev;
	void (*put)(struct block_device *bdev, fmode_t mode) = blkdev_put;
	struct block_device *bdev;

	bdev = get(dev, FMODE_READ | FMODE_WRITE, NULL);
	if (!IS_ERR(bdev))
		put(bdev, FMODE_READ | FMODE_WRITE);
	return bdev;
}

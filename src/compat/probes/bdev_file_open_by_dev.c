// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_file_open_by_dev: block devices opened as files,
 * bdev_file_open_by_dev(dev, blk_mode_t, holder, holder_ops) -> struct
 * file *, file_bdev(), released with fput().  Mainline 6.9 ("bdev: open
 * block devices as files"), which removed bdev_open_by_dev() in the same
 * cycle.  Preferred over every older form.
 */
#include <linux/blkdev.h>
#include <linux/file.h>

struct block_device *xbng_probe(dev_t dev, void *holder);
struct block_device *xbng_probe(dev_t dev, void *holder)
{
	struct file *f = bdev_file_open_by_dev(dev, BLK_OPEN_READ |
					       BLK_OPEN_WRITE, holder, NULL);
	struct block_device *bdev;

	if (IS_ERR(f))
		return ERR_CAST(f);
	bdev = file_bdev(f);
	fput(f);
	return bdev;
}

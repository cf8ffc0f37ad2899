// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_nr_sectors: mainline 5.15 ("block: add a bdev_nr_sectors helper").
 * Before it, i_size_read(bdev->bd_inode) >> SECTOR_SHIFT; bd_inode itself
 * is gone since 6.10, so only the helper works there.
 */
#include <linux/blkdev.h>

sector_t xbng_probe(struct block_device *bdev);
sector_t xbng_probe(struct block_device *bdev)
{
	return bdev_nr_sectors(bdev);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * genhd_fl_removable: GENHD_FL_REMOVABLE in gendisk->flags marks removable
 * media.  A macro up to 5.17, an enum constant since mainline 5.18
 * ("block: convert GENHD_FL_* to an enum"), hence a compile probe rather
 * than #ifdef.
 */
#include <linux/blkdev.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return bdev->bd_disk->flags & GENHD_FL_REMOVABLE;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * disk_to_cdi: the gendisk's cdrom_device_info, non-NULL for CD-ROM drives.
 * Mainline 5.16 ("block: add a ->cdi pointer to struct gendisk"), which
 * replaced GENHD_FL_CD (removed in 5.18).  Preferred over genhd_fl_cd.
 */
#include <linux/blkdev.h>
#include <linux/cdrom.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return disk_to_cdi(bdev->bd_disk) != NULL;
}

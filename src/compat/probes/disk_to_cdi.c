// SPDX-License-Identifier: GPL-2.0
/*
 * disk_to_cdi: the gendisk's cdrom_device_info, non-NULL for CD-ROM drives.
 * Mainline 5.16 ("block: add a ->cdi pointer to struct gendisk"), which
 * replaced GENHD_FL_CD (removed in 5.18).  Backported to 5.10.y: Debian's
 * 5.10.262 has both; compat.h then trusts either.
 */
#include <linux/blkdev.h>
#include <linux/cdrom.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return !!disk_to_cdi(bdev->bd_disk);
}

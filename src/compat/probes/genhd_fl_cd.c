// SPDX-License-Identifier: GPL-2.0
/*
 * genhd_fl_cd: GENHD_FL_CD in gendisk->flags marks CD-ROM drives: the way
 * before disk_to_cdi (mainline 5.16); removed in 5.18.  Only blkdev.h is
 * included: genhd.h, where the flag was, is gone with it, and a missing
 * header would make this probe undecidable rather than "no".
 */
#include <linux/blkdev.h>

bool xbng_probe(struct block_device *bdev);
bool xbng_probe(struct block_device *bdev)
{
	return bdev->bd_disk->flags & GENHD_FL_CD;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bdev_fput: release a block device opened as a file and give up its
 * holder at once, where a plain fput() may defer the final release (and so
 * the holder) to task work.  Mainline 6.10.  compat.h uses it when present
 * and falls back to fput().
 */
#include <linux/blkdev.h>

void xbng_probe(struct file *f);
void xbng_probe(struct file *f)
{
	bdev_fput(f);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles compat.h's 6.5/6.6 block-device-open branch
 * (blkdev_get_by_dev() with blk_mode_t and holder ops, blkdev_put() with
 * the holder), for which no Debian headers are reachable here, against a
 * newer kernel's headers plus the 6.5 prototypes declared below.
 * Compile-only (never linked): it proves the branch is type-correct
 * against those prototypes, not that 6.5 accepts it.  Only kernels with
 * bdev_file_open_by_dev() (6.9+) take part; blkdev_get_by_dev() and
 * blkdev_put() are gone there.
 */
#include "xbng_config.h"

#ifdef HAVE_BDEV_FILE_OPEN_BY_DEV
#include <linux/blkdev.h>

#undef HAVE_BDEV_FILE_OPEN_BY_DEV
#undef HAVE_BDEV_FPUT
#define HAVE_BLKDEV_GET_BY_DEV_HOLDER_OPS 1

/* As in include/linux/blkdev.h of 6.5 and 6.6. */
struct block_device *blkdev_get_by_dev(dev_t dev, blk_mode_t mode,
				       void *holder,
				       const struct blk_holder_ops *hops);
void blkdev_put(struct block_device *bdev, void *holder);

#include "../compat/compat.h"

int xbng_history_blkdev_holder(dev_t dev, bool write, void *holder);
int xbng_history_blkdev_holder(dev_t dev, bool write, void *holder)
{
	struct xbng_bdev b = { };
	int err = xbng_bdev_open(&b, dev, write, holder);

	if (!err)
		xbng_bdev_close(&b);
	return err;
}
#else
int xbng_history_blkdev_holder(void);
#endif

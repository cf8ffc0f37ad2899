// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles compat.h's 6.7/6.8 block-device-open branch (bdev_open_by_dev,
 * struct bdev_handle, bdev_release), for which no Debian headers are
 * reachable here, against a newer kernel's headers plus the 6.7 prototypes
 * declared below.  Compile-only (never linked): it proves the branch is
 * type-correct against those prototypes, not that 6.7 accepts it.
 * Only kernels with bdev_file_open_by_dev() (6.9+) take part; they have
 * blk_mode_t and holder ops but none of the old functions.
 */
#include "xbng_config.h"

#ifdef HAVE_BDEV_FILE_OPEN_BY_DEV
#include <linux/blkdev.h>

#undef HAVE_BDEV_FILE_OPEN_BY_DEV
#undef HAVE_BDEV_FPUT
#define HAVE_BDEV_OPEN_BY_DEV 1

/* As in include/linux/blkdev.h of 6.7 and 6.8. */
struct bdev_handle {
	struct block_device *bdev;
	void *holder;
	blk_mode_t mode;
};

struct bdev_handle *bdev_open_by_dev(dev_t dev, blk_mode_t mode, void *holder,
				     const struct blk_holder_ops *hops);
void bdev_release(struct bdev_handle *handle);

#include "../compat/compat.h"

int xbng_history_bdev_handle(dev_t dev, bool write, void *holder);
int xbng_history_bdev_handle(dev_t dev, bool write, void *holder)
{
	struct xbng_bdev b = { };
	int err = xbng_bdev_open(&b, dev, write, holder);

	if (!err)
		xbng_bdev_close(&b);
	return err;
}
#else
int xbng_history_bdev_handle(void);
#endif

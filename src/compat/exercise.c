// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only exerciser for compat.h: calls every wrapper and every name
 * compat.h provides, so that each branch taken on a kernel is compiled
 * there (W=1, sparse) even before the module uses it.  Never linked into
 * xen-blkback-ng; tests/matrix builds it as a module of its own.
 */
#include <linux/module.h>
#include <linux/interrupt.h>
#include <xen/interface/io/blkif.h>

#include "compat.h"

static void xbng_ex_remove(struct xenbus_device *dev)
{
}

XBNG_DEFINE_XENBUS_REMOVE(xbng_ex_remove);

static void xbng_ex_reclaim(struct xenbus_device *dev)
{
}

XBNG_DEFINE_XENBUS_RECLAIM_MEMORY(xbng_ex_reclaim);

static const struct xenbus_device_id xbng_ex_ids[] = {
	{ "xbng-exercise" },
	{ "" }
};

static struct xenbus_driver xbng_ex_driver = {
	.ids = xbng_ex_ids,
	.remove = XBNG_XENBUS_REMOVE(xbng_ex_remove),
	XBNG_XENBUS_RECLAIM_MEMORY(xbng_ex_reclaim)
};

static irqreturn_t xbng_ex_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

enum xenbus_state xbng_ex_state(struct xenbus_device *dev);
enum xenbus_state xbng_ex_state(struct xenbus_device *dev)
{
	return xbng_read_driver_state(dev, dev->otherend);
}

int xbng_ex_evtchn(struct xenbus_device *dev, evtchn_port_t port);
int xbng_ex_evtchn(struct xenbus_device *dev, evtchn_port_t port)
{
	int irq = xbng_bind_evtchn_lateeoi(dev, port, xbng_ex_irq, 0,
					   "xbng-ex", dev);

	if (irq >= 0)
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	return irq;
}

void xbng_ex_ring(struct blkif_back_ring *ring, struct blkif_sring *sring,
		  RING_IDX prod);
void xbng_ex_ring(struct blkif_back_ring *ring, struct blkif_sring *sring,
		  RING_IDX prod)
{
	BACK_RING_ATTACH(ring, sring, prod, XEN_PAGE_SIZE);
}

u64 xbng_ex_unaligned(const void *p);
u64 xbng_ex_unaligned(const void *p)
{
	return get_unaligned_le64(p);
}

int xbng_ex_pages(struct gnttab_page_cache *cache);
int xbng_ex_pages(struct gnttab_page_cache *cache)
{
	struct page *page;
	int err;

	gnttab_page_cache_init(cache);
	err = gnttab_page_cache_get(cache, &page);
	if (!err)
		gnttab_page_cache_put(cache, &page, 1);
	gnttab_page_cache_shrink(cache, 0);
	return err;
}

struct bio *xbng_ex_bio(struct block_device *bdev);
struct bio *xbng_ex_bio(struct block_device *bdev)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC;

	if (bdev_write_cache(bdev))
		opf |= REQ_PREFLUSH;
	if (bdev_fua(bdev))
		opf |= REQ_FUA;
	return xbng_bio_alloc(bdev, BIO_MAX_VECS, opf, GFP_NOIO);
}

int xbng_ex_discard(struct block_device *bdev, sector_t nr);
int xbng_ex_discard(struct block_device *bdev, sector_t nr)
{
	bool secure = bdev_max_secure_erase_sectors(bdev) > 0;

	if (!bdev_max_discard_sectors(bdev) || !bdev_discard_granularity(bdev))
		return -EOPNOTSUPP;
	return xbng_issue_discard(bdev, 0, nr, GFP_NOIO, secure);
}

static unsigned long xbng_ex_count(struct shrinker *s,
				   struct shrink_control *sc)
{
	return SHRINK_EMPTY;
}

static unsigned long xbng_ex_scan(struct shrinker *s,
				  struct shrink_control *sc)
{
	return SHRINK_STOP;
}

int xbng_ex_bdev(dev_t dev, bool write, void *holder);
int xbng_ex_bdev(dev_t dev, bool write, void *holder)
{
	struct xbng_bdev b = { };
	int err = xbng_bdev_open(&b, dev, write, holder);

	if (err)
		return err;
	if (bdev_nr_sectors(b.bdev) == 0 || xbng_bdev_is_cdrom(b.bdev) ||
	    xbng_bdev_is_removable(b.bdev))
		err = -ENODEV;
	xbng_bdev_close(&b);
	return err;
}

struct xbng_ex_timed {
	struct timer_list timer;
	unsigned long fired;
};

static void xbng_ex_timer_fn(struct timer_list *t)
{
	struct xbng_ex_timed *x = timer_container_of(x, t, timer);

	x->fired++;
}

void xbng_ex_timer(struct xbng_ex_timed *x);
void xbng_ex_timer(struct xbng_ex_timed *x)
{
	timer_setup(&x->timer, xbng_ex_timer_fn, 0);
	mod_timer(&x->timer, jiffies + secs_to_jiffies(5));
	timer_delete(&x->timer);
	timer_delete_sync(&x->timer);
}

static struct shrinker *xbng_ex_shrinker;

static int __init xbng_ex_init(void)
{
	int err;

	xbng_ex_shrinker = xbng_shrinker_create("xbng-exercise", xbng_ex_count,
						xbng_ex_scan);
	if (!xbng_ex_shrinker)
		return -ENOMEM;
	err = xenbus_register_backend(&xbng_ex_driver);
	if (err)
		xbng_shrinker_destroy(xbng_ex_shrinker);
	return err;
}

static void __exit xbng_ex_exit(void)
{
	xenbus_unregister_driver(&xbng_ex_driver);
	xbng_shrinker_destroy(xbng_ex_shrinker);
}

module_init(xbng_ex_init);
module_exit(xbng_ex_exit);
MODULE_DESCRIPTION("xen-blkback-ng compat.h exerciser (compile test only)");
MODULE_LICENSE("GPL");

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-blkback-ng: the kernel API as the newest kernel has it, on every
 * kernel from 5.10 on.
 *
 * The rest of the module is written against the newest API and includes
 * this header.  What the target kernel has was decided at build time by the
 * probes in compat/probes/ (one try-compile snippet per API, each naming the
 * mainline release that changed it); their answers are the HAVE_* macros of
 * the generated xbng_config.h.  Version numbers are never compared here:
 * stable and distribution kernels backport API changes (Debian's 6.1.0-56
 * has the 6.2 xenbus remove), so only the headers can tell.
 *
 * Where the newest API is only a new name, the name is defined on older
 * kernels; where its shape changed, a small xbng_* wrapper hides the
 * difference.
 */
#ifndef XBNG_COMPAT_H
#define XBNG_COMPAT_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/build_bug.h>
#include <linux/cdrom.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/interface/io/ring.h>
#include <xen/xenbus.h>

#include "xbng_config.h"

/*
 * get_unaligned_*() and put_unaligned_*(): <linux/unaligned.h> since 6.12,
 * <asm/unaligned.h> before.  Module code includes compat.h, not either.
 */
#ifdef HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Probe results compat/probe.sh already refuses to build without; checked
 * again so that a stale or hand-made xbng_config.h cannot slip through.
 */
#ifndef HAVE_GNTTAB_PAGE_CACHE
#error "needs gnttab_page_cache_* (probe gnttab_page_cache, 5.10-rc8)"
#endif
#if !defined(HAVE_EVTCHN_LATEEOI_XENBUS_DEV) && !defined(HAVE_EVTCHN_LATEEOI_DOMID)
#error "needs late-EOI event channels (probe evtchn_lateeoi, XSA-332)"
#endif
#if defined(HAVE_BLKDEV_ISSUE_DISCARD_NOFLAGS) && !defined(HAVE_BLKDEV_ISSUE_SECURE_ERASE)
#error "discard without flags but no secure erase (probe blkdev_issue_secure_erase)"
#endif

/* ---- xenbus driver callbacks -------------------------------------------- */

/*
 * .remove returns void since 6.2 (and 6.1.162).  The module writes
 *
 *	static void xbng_remove(struct xenbus_device *dev) { ... }
 *
 *	XBNG_DEFINE_XENBUS_REMOVE(xbng_remove);
 *
 *	static struct xenbus_driver xbng_driver = {
 *		.remove = XBNG_XENBUS_REMOVE(xbng_remove),
 *		XBNG_XENBUS_RECLAIM_MEMORY(xbng_reclaim_memory)
 *	};
 *
 * XBNG_DEFINE_XENBUS_REMOVE() goes after the function at file scope: on
 * int-returning kernels it defines the trampoline the initializer names
 * (whose call of fn checks its argument), elsewhere it checks fn's type.
 */
#define XBNG_ASSERT_XENBUS_CB(fn)					\
	static_assert(__same_type(&(fn), void (*)(struct xenbus_device *)), \
		      #fn " must be void " #fn "(struct xenbus_device *)")

#ifdef HAVE_XENBUS_REMOVE_VOID
#define XBNG_DEFINE_XENBUS_REMOVE(fn)	XBNG_ASSERT_XENBUS_CB(fn)
#define XBNG_XENBUS_REMOVE(fn)		(fn)
#else
#define XBNG_DEFINE_XENBUS_REMOVE(fn)					\
	static int fn##_xbng_int(struct xenbus_device *dev)		\
	{								\
		fn(dev);						\
		return 0;						\
	}								\
	static_assert(1, "")
#define XBNG_XENBUS_REMOVE(fn)		(fn##_xbng_int)
#endif

/*
 * .reclaim_memory (5.6, backported Dec 2024) is optional: the xen-backend
 * shrinker calls it under pressure, and without it the module's own
 * shrinker is the only signal.  Place XBNG_DEFINE_XENBUS_RECLAIM_MEMORY(fn)
 * after the function: where the member is missing nothing else names fn,
 * and it keeps the compiler from warning that fn is unused.
 */
#ifdef HAVE_XENBUS_RECLAIM_MEMORY
#define XBNG_XENBUS_RECLAIM_MEMORY(fn)	.reclaim_memory = (fn),
#define XBNG_DEFINE_XENBUS_RECLAIM_MEMORY(fn) XBNG_ASSERT_XENBUS_CB(fn)
#else
#define XBNG_XENBUS_RECLAIM_MEMORY(fn)
#define XBNG_DEFINE_XENBUS_RECLAIM_MEMORY(fn)				\
	static void (*const fn##_xbng_unused)(struct xenbus_device *)	\
		__maybe_unused = (fn)
#endif

/*
 * xenbus_read_driver_state() gained the device as its first argument after
 * 6.12 (7.2 has it); the path stays, usually dev->otherend.
 */
static inline enum xenbus_state
xbng_read_driver_state(const struct xenbus_device *dev, const char *path)
{
#ifdef HAVE_XENBUS_READ_DRIVER_STATE_DEV
	return xenbus_read_driver_state(dev, path);
#else
	return xenbus_read_driver_state(path);
#endif
}

/* ---- event channels ---------------------------------------------------- */

/*
 * Late-EOI binding (XSA-332) only; the first argument became the xenbus
 * device in 5.12.  Reported as backported to 5.10.y in Mar 2023, yet
 * Debian's 5.10.262 still takes the domain id.  Returns the irq or -errno.
 */
static inline int xbng_bind_evtchn_lateeoi(struct xenbus_device *dev,
					   evtchn_port_t port,
					   irq_handler_t handler,
					   unsigned long irqflags,
					   const char *name, void *data)
{
#ifdef HAVE_EVTCHN_LATEEOI_XENBUS_DEV
	return bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, port, handler,
							     irqflags, name,
							     data);
#else
	return bind_interdomain_evtchn_to_irqhandler_lateeoi(dev->otherend_id,
							     port, handler,
							     irqflags, name,
							     data);
#endif
}

/* ---- rings -------------------------------------------------------------- */

#ifndef HAVE_BACK_RING_ATTACH
/*
 * What xen/interface/io/ring.h has since ~5.5: attach at a given position.
 * Each argument is evaluated once.
 */
#define BACK_RING_ATTACH(_r, _s, _i, __size) do {			\
	typeof(_r) xbng_r = (_r);					\
	typeof(_s) xbng_s = (_s);					\
	RING_IDX xbng_i = (_i);						\
									\
	xbng_r->rsp_prod_pvt = xbng_i;					\
	xbng_r->req_cons = xbng_i;					\
	xbng_r->nr_ents = __RING_SIZE(xbng_s, (__size));		\
	xbng_r->sring = xbng_s;						\
} while (0)
#endif

/* ---- bios --------------------------------------------------------------- */

#ifndef HAVE_BLK_OPF_T
/*
 * 6.0 named the type; the bits were a plain unsigned int before.  A macro,
 * as this only gives the old type the kernel's new name.
 */
#define blk_opf_t unsigned int
#endif

#ifndef HAVE_BIO_MAX_VECS
/* 5.12 renamed it. */
#define BIO_MAX_VECS BIO_MAX_PAGES
#endif

static inline struct bio *xbng_bio_alloc(struct block_device *bdev,
					 unsigned short nr_vecs, blk_opf_t opf,
					 gfp_t gfp)
{
#ifdef HAVE_BIO_ALLOC_BDEV
	return bio_alloc(bdev, nr_vecs, opf, gfp);
#else
	struct bio *bio = bio_alloc(gfp, nr_vecs);

	if (bio) {
		bio_set_dev(bio, bdev);
		bio->bi_opf = opf;
	}
	return bio;
#endif
}

/* ---- discard and secure erase (5.19) ------------------------------------ */

#ifndef HAVE_BDEV_MAX_DISCARD_SECTORS
static inline unsigned int bdev_max_discard_sectors(struct block_device *bdev)
{
	struct request_queue *q = bdev_get_queue(bdev);

	return blk_queue_discard(q) ? q->limits.max_discard_sectors : 0;
}
#endif

#ifndef HAVE_BDEV_MAX_SECURE_ERASE_SECTORS
/* Before 5.19 secure erase was a discard flag sharing the discard limits. */
static inline unsigned int
bdev_max_secure_erase_sectors(struct block_device *bdev)
{
	struct request_queue *q = bdev_get_queue(bdev);

	return blk_queue_secure_erase(q) ? q->limits.max_discard_sectors : 0;
}
#endif

#ifndef HAVE_BDEV_DISCARD_GRANULARITY
static inline unsigned int bdev_discard_granularity(struct block_device *bdev)
{
	return bdev_get_queue(bdev)->limits.discard_granularity;
}
#endif

static inline int xbng_issue_discard(struct block_device *bdev,
				     sector_t sector, sector_t nr_sects,
				     gfp_t gfp, bool secure)
{
#ifdef HAVE_BLKDEV_ISSUE_DISCARD_NOFLAGS
	if (secure)
		return blkdev_issue_secure_erase(bdev, sector, nr_sects, gfp);
	return blkdev_issue_discard(bdev, sector, nr_sects, gfp);
#else
	return blkdev_issue_discard(bdev, sector, nr_sects, gfp,
				    secure ? BLKDEV_DISCARD_SECURE : 0);
#endif
}

/* ---- write cache and FUA (6.0) ------------------------------------------ */

#ifndef HAVE_BDEV_WRITE_CACHE
static inline bool bdev_write_cache(struct block_device *bdev)
{
	return test_bit(QUEUE_FLAG_WC, &bdev_get_queue(bdev)->queue_flags);
}
#endif

#ifndef HAVE_BDEV_FUA
static inline bool bdev_fua(struct block_device *bdev)
{
	return test_bit(QUEUE_FLAG_FUA, &bdev_get_queue(bdev)->queue_flags);
}
#endif

/* ---- shrinker (6.0 names, 6.7 allocation by the core) ------------------- */

/*
 * Returns a registered shrinker, or NULL.  The name shows in debugfs
 * where the kernel keeps shrinker names (6.0 on).
 */
static inline struct shrinker *
xbng_shrinker_create(const char *name,
		     unsigned long (*count)(struct shrinker *,
					    struct shrink_control *),
		     unsigned long (*scan)(struct shrinker *,
					   struct shrink_control *))
{
	struct shrinker *s;

#ifdef HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	shrinker_register(s);
#else
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
#ifdef HAVE_REGISTER_SHRINKER_FMT
	err = register_shrinker(s, "%s", name);
#else
	err = register_shrinker(s);
#endif
	if (err) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void xbng_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
#ifdef HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/* ---- block device open (6.5, 6.7, 6.9) ---------------------------------- */

/*
 * An opened backing device.  Only bdev is for the caller; handle is what
 * the close needs on this kernel: the struct file (6.9+), the struct
 * bdev_handle (6.7, 6.8), the holder (6.5, 6.6) or the fmode_t (<= 6.4).
 */
struct xbng_bdev {
	struct block_device *bdev;
	void *handle;	/* private */
};

/*
 * Opens dev for reading, and writing when write is set.  A NULL holder
 * opens it shared, as the stock xen-blkback does (the toolstack may keep
 * it open too); a holder makes the open exclusive.  Returns 0 or -errno.
 */
static inline int xbng_bdev_open(struct xbng_bdev *b, dev_t dev, bool write,
				 void *holder)
{
#if defined(HAVE_BDEV_FILE_OPEN_BY_DEV)
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct file *f = bdev_file_open_by_dev(dev, mode, holder, NULL);

	if (IS_ERR(f))
		return PTR_ERR(f);
	b->bdev = file_bdev(f);
	b->handle = f;
#elif defined(HAVE_BDEV_OPEN_BY_DEV)
	/* Compiled here only through its probe: no 6.7/6.8 headers. */
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct bdev_handle *h = bdev_open_by_dev(dev, mode, holder, NULL);

	if (IS_ERR(h))
		return PTR_ERR(h);
	b->bdev = h->bdev;
	b->handle = h;
#elif defined(HAVE_BLKDEV_GET_BY_DEV_HOLDER_OPS)
	/* Compiled here only through its probe: no 6.5/6.6 headers. */
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct block_device *bdev = blkdev_get_by_dev(dev, mode, holder, NULL);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->bdev = bdev;
	b->handle = holder;
#else
	fmode_t mode = FMODE_READ | (write ? FMODE_WRITE : 0) |
		       (holder ? FMODE_EXCL : 0);
	struct block_device *bdev = blkdev_get_by_dev(dev, mode, holder);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->bdev = bdev;
	b->handle = (void *)(__force uintptr_t)mode;
#endif
	return 0;
}

static inline void xbng_bdev_close(struct xbng_bdev *b)
{
	if (!b->bdev)
		return;
#if defined(HAVE_BDEV_FILE_OPEN_BY_DEV)
#ifdef HAVE_BDEV_FPUT
	bdev_fput(b->handle);
#else
	fput(b->handle);
#endif
#elif defined(HAVE_BDEV_OPEN_BY_DEV)
	bdev_release(b->handle);
#elif defined(HAVE_BLKDEV_GET_BY_DEV_HOLDER_OPS)
	blkdev_put(b->bdev, b->handle);
#else
	blkdev_put(b->bdev, (__force fmode_t)(uintptr_t)b->handle);
#endif
	b->bdev = NULL;
	b->handle = NULL;
}

/* ---- block device properties -------------------------------------------- */

#ifndef HAVE_BDEV_NR_SECTORS
static inline sector_t bdev_nr_sectors(struct block_device *bdev)
{
	return i_size_read(bdev->bd_inode) >> SECTOR_SHIFT;
}
#endif

/*
 * disk_to_cdi() is the current way; where GENHD_FL_CD still exists (5.10,
 * which got disk_to_cdi() by backport) the flag is trusted as well.
 */
static inline bool xbng_bdev_is_cdrom(struct block_device *bdev)
{
	bool cd = false;

#ifdef HAVE_DISK_TO_CDI
	cd = !!disk_to_cdi(bdev->bd_disk);
#endif
#ifdef HAVE_GENHD_FL_CD
	cd = cd || (bdev->bd_disk->flags & GENHD_FL_CD);
#endif
	return cd;
}

static inline bool xbng_bdev_is_removable(struct block_device *bdev)
{
	/* Still a gendisk flag in 7.3; an enum constant since 5.18. */
	return bdev->bd_disk->flags & GENHD_FL_REMOVABLE;
}

/* ---- timers and time ---------------------------------------------------- */

/*
 * New names since 6.2, the old ones gone in 6.15; stable trees took the two
 * separately (5.10.262 has timer_delete_sync() only).
 */
#ifndef HAVE_TIMER_DELETE
static inline int timer_delete(struct timer_list *timer)
{
	return del_timer(timer);
}
#endif

#ifndef HAVE_TIMER_DELETE_SYNC
static inline int timer_delete_sync(struct timer_list *timer)
{
	return del_timer_sync(timer);
}
#endif

#ifndef HAVE_TIMER_CONTAINER_OF
/* 6.16 renamed from_timer(). */
#define timer_container_of(var, callback_timer, timer_fieldname)	\
	from_timer(var, callback_timer, timer_fieldname)
#endif

#ifndef HAVE_SECS_TO_JIFFIES
/* As defined in 6.13. */
#define secs_to_jiffies(_secs) ((unsigned long)((_secs) * HZ))
#endif

#endif /* XBNG_COMPAT_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The xenbus side: the backend's state machine and the xenstore protocol.
 *
 * Probe advertises what we can do and waits (InitWait).  The hotplug script
 * writes physical-device, which opens the block device.  When the frontend
 * is Initialised or Connected and the device is open, we read its ring
 * details, attach the rings and publish the disk (Connected).  Frontend
 * Closed, or any reconnect, takes the rings off the device at once; a
 * worker tears them down, waiting for I/O in flight, and only then says
 * Closed.  Every xenbus callback runs in the single xenwatch thread, so
 * these steps never race with each other; dev->lock only keeps sysfs
 * readers off the rings while they change, and state_lock orders the
 * workers' and the ring threads' state changes against xenwatch's.
 *
 * Every value read from the frontend's directory is checked by the parsers
 * in core/xs_values.c; a bad one fails this device only (xenbus_dev_fatal),
 * except a ring-page-order or multi-queue-num-queues that is not a number:
 * the stock backend reads those as absent, and frontends rely on that.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>

#include "common.h"
#include "core/xs_values.h"
#include "trace/xbng_events.h"

#ifdef CONFIG_X86_32
#define XBNG_NATIVE_ABI XBNG_ABI_X86_32
#else
#define XBNG_NATIVE_ABI XBNG_ABI_X86_64
#endif

/* Read a key as a string; NULL if absent, ERR_PTR on a real error. */
static char *xs_read(const char *dir, const char *key)
{
	char *s = xenbus_read(XBT_NIL, dir, key, NULL);

	if (IS_ERR(s) && PTR_ERR(s) == -ENOENT)
		return NULL;
	return s;
}

/* An optional unsigned key: *present tells whether it was there. */
static int xs_read_uint(const char *dir, const char *key, u32 max,
			bool *present, u32 *val)
{
	char *s = xs_read(dir, key);
	int err;

	*present = false;
	*val = 0;
	if (!s)
		return 0;
	if (IS_ERR(s))
		return PTR_ERR(s);
	err = xbng_parse_uint(s, max, val);
	kfree(s);
	*present = !err;
	return err;
}

/* The last reference to @dev: no ring of it is left, nor its xenbus device. */
static void xbng_dev_put(struct xbng_dev *dev)
{
	if (!refcount_dec_and_test(&dev->refs))
		return;
	if (dev->have_bdev)
		xbng_bdev_close(&dev->bdev);
	xbng_domain_put(dev->domain);
	xbng_blkcg_release(dev);
	kfree(dev);
}

/* Rings torn down in the background, and what they hold meanwhile. */
struct xbng_reap {
	struct delayed_work work;
	struct xbng_dev *dev;		/* a reference */
	struct xbng_ring **rings;
	unsigned int nr_rings;
};

static struct workqueue_struct *xbng_reap_wq;

/* Waits for every request in flight on @rings, then frees them. */
static void xbng_free_rings(struct xbng_dev *dev, struct xbng_ring **rings,
			    unsigned int nr_rings)
{
	unsigned int i;

	for (i = 0; i < nr_rings; i++) {
		xbng_ring_disconnect(rings[i]);
		xbng_domain_uncharge(dev->domain,
				     xbng_ring_floor(rings[i]->page_cost));
		kvfree(rings[i]);
	}
	kfree(rings);
}

/* How soon a state that xenstore did not take is written again. */
#define XBNG_STATE_RETRY	HZ

/* What a transaction writes; XBNG_XS_GONE: the device's folder is gone. */
typedef int (*xbng_xs_fill)(struct xbng_dev *dev, struct xenbus_transaction xbt,
			    const void *arg);
#define XBNG_XS_GONE	1

/*
 * Write what @fill writes in one xenstore transaction, again from the
 * start whenever xenstored refuses the commit because another transaction
 * touched the same nodes (-EAGAIN).  An error from @fill ends the
 * transaction with nothing written, and is returned.
 */
static int xbng_xs_transact(struct xbng_dev *dev, xbng_xs_fill fill,
			    const void *arg)
{
	struct xenbus_transaction xbt;
	int err;

	do {
		err = xenbus_transaction_start(&xbt);
		if (err)
			return err;
		err = fill(dev, xbt, arg);
		if (err) {
			xenbus_transaction_end(xbt, 1);
			return err;
		}
		err = xenbus_transaction_end(xbt, 0);
	} while (err == -EAGAIN);
	return err;
}

/* The state node, only if it is still there. */
static int fill_state(struct xbng_dev *dev, struct xenbus_transaction xbt,
		      const void *arg)
{
	const char *node = dev->xdev->nodename;
	int cur, err;

	err = xenbus_scanf(xbt, node, "state", "%d", &cur);
	if (err == -ENOENT)
		return XBNG_XS_GONE;
	if (err < 0)
		return err;
	return xenbus_printf(xbt, node, "state", "%d",
			     *(const enum xenbus_state *)arg);
}

/*
 * Write @state once, under state_lock; a state written replaces one owed.
 * Not xenbus_switch_state(): it returns 0 when the write failed, and then
 * writes Closing in its place, or records the state as written although
 * it is not.  As it does, the state goes in a transaction that first
 * checks the node is there: a device being removed is not brought back.
 */
static int write_state_txn(struct xbng_dev *dev, enum xenbus_state state)
{
	int err = 0;

	if (dev->xdev->state != state)
		err = xbng_xs_transact(dev, fill_state, &state);
	if (err < 0)
		return err;
	if (!err)
		dev->xdev->state = state;
	dev->state_owed = XenbusStateUnknown;
	return 0;
}

static int xbng_write_state_locked(struct xbng_dev *dev,
				   enum xenbus_state state)
{
	int err;

	lockdep_assert_held(&dev->state_lock);
	err = write_state_txn(dev, state);
	trace_xbng_state(dev->domid, dev->handle, false, state, err);
	return err;
}

/*
 * Switch to @state, under state_lock.  A state write fails when xenstore
 * cannot take it (an allocation failed under memory pressure), and the
 * frontend, waiting for the state, sends no event that would make us try
 * again, so a detach would wait for ever.  A failed state is written again
 * from state_work until it sticks, or another state or the removal of the
 * device replaces it.
 */
static void xbng_switch_state_locked(struct xbng_dev *dev,
				     enum xenbus_state state)
{
	int err = xbng_write_state_locked(dev, state);

	if (!err || dev->removed)
		return;
	xbng_warn(dev, "cannot write state %d (%d), trying again\n", state,
		  err);
	dev->state_owed = state;
	mod_delayed_work(xbng_reap_wq, &dev->state_work, XBNG_STATE_RETRY);
}

static void xbng_switch_state(struct xbng_dev *dev, enum xenbus_state state)
{
	mutex_lock(&dev->state_lock);
	xbng_switch_state_locked(dev, state);
	mutex_unlock(&dev->state_lock);
}

static void xbng_state_work(struct work_struct *work)
{
	struct xbng_dev *dev = container_of(to_delayed_work(work),
					    struct xbng_dev, state_work);

	mutex_lock(&dev->state_lock);
	if (dev->state_owed != XenbusStateUnknown && !dev->removed)
		xbng_switch_state_locked(dev, dev->state_owed);
	mutex_unlock(&dev->state_lock);
}

/*
 * Count teardowns begun (+1) or done (-1), and once none is left, tell a
 * frontend that closed Closed: then no ring maps its grants any more (a
 * frontend may reuse its memory, or kexec, on Closed), unless it started
 * over meanwhile.
 */
static void xbng_reaps_add(struct xbng_dev *dev, int reaps)
{
	mutex_lock(&dev->state_lock);
	dev->reaps += reaps;
	if (dev->close_pending && !dev->reaps) {
		dev->close_pending = false;
		xbng_switch_state_locked(dev, XenbusStateClosed);
	}
	mutex_unlock(&dev->state_lock);
}

/* Whether a Closed is owed to the frontend once its rings are torn down. */
static void xbng_owe_closed(struct xbng_dev *dev, bool owed)
{
	mutex_lock(&dev->state_lock);
	dev->close_pending = owed;
	mutex_unlock(&dev->state_lock);
}

/* How often a teardown looks whether its rings' requests have completed. */
#define XBNG_REAP_POLL		(HZ / 10)

static void xbng_reap_work(struct work_struct *work)
{
	struct xbng_reap *reap = container_of(to_delayed_work(work),
					      struct xbng_reap, work);
	struct xbng_dev *dev = reap->dev;
	struct xenbus_device *xdev = dev->xdev;
	unsigned int i;

	/*
	 * Wait by polling, not in kthread_stop(): a disk may stall for
	 * minutes, and a worker blocked that long would be reported hung.
	 */
	for (i = 0; i < reap->nr_rings; i++) {
		if (xbng_ring_busy(reap->rings[i])) {
			queue_delayed_work(xbng_reap_wq, &reap->work,
					   XBNG_REAP_POLL);
			return;
		}
	}
	xbng_free_rings(dev, reap->rings, reap->nr_rings);
	xbng_reaps_add(dev, -1);
	kfree(reap);
	xbng_dev_put(dev);
	put_device(&xdev->dev);
	/* Last: module exit waits for this function to return. */
	module_put(THIS_MODULE);
}

/*
 * Take the rings off @dev now and tear them down in the background.  A
 * ring waits there for its requests in flight, which a stalled disk
 * (multipath queue_if_no_path, a full thin pool, a hung NFS server) holds
 * for as long as it stalls: xenwatch, which runs every xenbus watch of
 * dom0, must not wait with it, nor hold dev->lock, which sysfs readers
 * (xentop) take.  The reap holds the device, its xenbus device and a
 * module reference (the connection's, if it had one) until the last ring
 * is gone, so that the module cannot go with work pending.
 */
static void xbng_disconnect(struct xbng_dev *dev)
{
	struct xbng_ring **rings;
	struct xbng_reap *reap;
	unsigned int nr, i;
	bool module_ref = dev->holds_module_ref;

	mutex_lock(&dev->lock);
	rings = dev->rings;
	nr = dev->nr_rings;
	dev->rings = NULL;
	dev->nr_rings = 0;
	dev->connected = false;
	mutex_unlock(&dev->lock);
	dev->holds_module_ref = false;

	for (i = 0; i < nr; i++)
		xbng_ring_stop_intake(rings[i]);
	reap = rings ? kmalloc(sizeof(*reap), GFP_KERNEL) : NULL;
	if (!reap) {
		/* Nothing to tear down, or no memory to do it later. */
		xbng_free_rings(dev, rings, nr);
		xbng_reaps_add(dev, 0);
		if (module_ref)
			module_put(THIS_MODULE);
		return;
	}
	if (!module_ref)
		__module_get(THIS_MODULE);
	refcount_inc(&dev->refs);
	get_device(&dev->xdev->dev);
	xbng_reaps_add(dev, 1);
	reap->dev = dev;
	reap->rings = rings;
	reap->nr_rings = nr;
	INIT_DELAYED_WORK(&reap->work, xbng_reap_work);
	queue_delayed_work(xbng_reap_wq, &reap->work, 0);
}

/* A key of one ring's directory, for xbng_ring_refs_read(). */
static int ring_dir_read(const void *dir, const char *key, u32 *val)
{
	bool present;
	int err = xs_read_uint(dir, key, U32_MAX, &present, val);

	return !err && !present ? -ENOENT : err;
}

/* Read one queue's ring references and event channel, and attach it. */
static int xbng_connect_ring(struct xbng_dev *dev, struct xbng_ring *ring,
			     const char *dir)
{
	grant_ref_t grefs[XENBUS_MAX_RING_GRANTS];
	bool present;
	char key[16];
	u32 val;
	int err;

	static_assert(sizeof(grant_ref_t) == sizeof(u32));
	err = xbng_ring_refs_read(&dev->layout, ring_dir_read, dir, grefs, key,
				  sizeof(key));
	if (err) {
		xenbus_dev_fatal(dev->xdev, err, "reading %s/%s", dir, key);
		return err;
	}
	err = xs_read_uint(dir, "event-channel", U32_MAX, &present, &val);
	if (!err && !present)
		err = -ENOENT;
	if (err) {
		xenbus_dev_fatal(dev->xdev, err, "reading %s/event-channel",
				 dir);
		return err;
	}
	err = xbng_ring_connect(ring, grefs, dev->layout.nr_pages, val);
	if (err)
		xenbus_dev_fatal(dev->xdev, err, "mapping ring %u of %s",
				 ring->index, dir);
	return err;
}

/*
 * The frontend's ring-page-order and multi-queue-num-queues.  One that is
 * not a number is read as absent (one page, one queue), as the stock
 * backend reads it, and said once; one out of range fails the device.
 */
static int xbng_read_layout(struct xbng_dev *dev)
{
	const char *fe = dev->xdev->otherend;
	char *order, *queues;
	int err;

	order = xs_read(fe, "ring-page-order");
	queues = xs_read(fe, "multi-queue-num-queues");
	if (IS_ERR(order) || IS_ERR(queues)) {
		err = IS_ERR(order) ? PTR_ERR(order) : PTR_ERR(queues);
		xenbus_dev_fatal(dev->xdev, err, "reading the ring layout");
		goto out;
	}
	err = xbng_ring_layout(order, queues, xbng_max_ring_order,
			       READ_ONCE(xbng_max_queues), &dev->layout);
	if (err) {
		xenbus_dev_fatal(dev->xdev, err,
				 "ring-page-order or multi-queue-num-queues out of range (at most %u and %u)",
				 xbng_max_ring_order, READ_ONCE(xbng_max_queues));
		goto out;
	}
	/* The guest wrote the values: they are not printed. */
	if (dev->layout.order_ignored)
		xbng_info(dev, "ring-page-order is not a number: one ring page\n");
	if (dev->layout.queues_ignored)
		xbng_info(dev, "multi-queue-num-queues is not a number: one queue\n");
out:
	if (!IS_ERR(order))
		kfree(order);
	if (!IS_ERR(queues))
		kfree(queues);
	return err;
}

/* Latch the frontend's choices for this connection and attach the rings. */
static int xbng_connect_rings(struct xbng_dev *dev)
{
	struct xenbus_device *xdev = dev->xdev;
	const char *fe = xdev->otherend;
	unsigned int nr_queues, i;
	bool present;
	char *proto;
	u32 val;
	int err;

	proto = xs_read(fe, "protocol");
	if (IS_ERR(proto)) {
		xenbus_dev_fatal(xdev, PTR_ERR(proto), "reading protocol");
		return PTR_ERR(proto);
	}
	err = xbng_parse_protocol(proto, XBNG_NATIVE_ABI, &dev->abi);
	if (err) {
		xenbus_dev_fatal(xdev, err, "unknown protocol %s", proto);
		kfree(proto);
		return err;
	}
	kfree(proto);

	err = xs_read_uint(fe, "feature-persistent", U32_MAX, &present, &val);
	dev->persistent = !err && dev->advertise_persistent && val;

	err = xbng_read_layout(dev);
	if (err)
		return err;
	nr_queues = dev->layout.nr_queues;

	dev->rings = kcalloc(nr_queues, sizeof(*dev->rings), GFP_KERNEL);
	if (!dev->rings) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating rings");
		return -ENOMEM;
	}

	for (i = 0; i < nr_queues; i++) {
		size_t page_cost = xbng_pool_page_cost();
		size_t floor = xbng_ring_floor(page_cost);
		struct xbng_ring *ring;
		char *dir;

		if (!xbng_domain_charge(dev->domain, floor)) {
			xenbus_dev_fatal(xdev, -ENOMEM,
					 "domain %u over max_domain_kb (%lu KiB) with queue %u",
					 dev->domid,
					 xbng_domain_budget() / 1024, i);
			return -ENOMEM;
		}
		ring = kvzalloc(sizeof(*ring), GFP_KERNEL);
		if (!ring) {
			xbng_domain_uncharge(dev->domain, floor);
			xenbus_dev_fatal(xdev, -ENOMEM, "allocating ring %u", i);
			return -ENOMEM;
		}
		ring->dev = dev;
		ring->index = i;
		ring->page_cost = page_cost;
		mutex_lock(&dev->lock);
		dev->rings[i] = ring;
		dev->nr_rings = i + 1;
		mutex_unlock(&dev->lock);

		dir = nr_queues == 1 ? kstrdup(fe, GFP_KERNEL) :
		      kasprintf(GFP_KERNEL, "%s/queue-%u", fe, i);
		if (!dir) {
			xenbus_dev_fatal(xdev, -ENOMEM, "allocating ring %u", i);
			return -ENOMEM;
		}
		err = xbng_connect_ring(dev, ring, dir);
		kfree(dir);
		if (err)
			return err;
	}
	return 0;
}

/* What the frontend needs to know of the disk. */
static int fill_disk(struct xbng_dev *dev, struct xenbus_transaction xbt,
		     const void *arg)
{
	struct block_device *bdev = dev->bdev.bdev;
	const char *node = dev->xdev->nodename;
	const struct xbng_limits *lim = &dev->lim;
	int err;

	err = xenbus_printf(xbt, node, "feature-flush-cache", "%d",
			    lim->flush);
	if (!err)
		err = xenbus_printf(xbt, node, "feature-barrier", "%d",
				    lim->barrier);
	if (!err && lim->discard) {
		err = xenbus_printf(xbt, node, "discard-granularity", "%u",
				    bdev_discard_granularity(bdev));
		if (!err)
			err = xenbus_printf(xbt, node, "discard-alignment",
					    "%u", bdev_discard_alignment(bdev));
		if (!err)
			err = xenbus_printf(xbt, node, "discard-secure", "%d",
					    lim->secure_discard);
		if (!err)
			err = xenbus_printf(xbt, node, "feature-discard", "1");
	}
	if (!err)
		err = xenbus_printf(xbt, node, "feature-persistent", "%d",
				    dev->advertise_persistent);
	if (!err)
		err = xenbus_printf(xbt, node, "sectors", "%llu",
				    (unsigned long long)lim->dev_sectors);
	if (!err)
		err = xenbus_printf(xbt, node, "info", "%u", dev->vdisk_info);
	if (!err)
		err = xenbus_printf(xbt, node, "sector-size", "%u",
				    bdev_logical_block_size(bdev));
	if (!err)
		err = xenbus_printf(xbt, node, "physical-sector-size", "%u",
				    bdev_physical_block_size(bdev));
	return err;
}

/* Publish the disk and go Connected. */
static void xbng_publish(struct xbng_dev *dev)
{
	struct xenbus_device *xdev = dev->xdev;
	bool halted;
	int err;

	err = xbng_xs_transact(dev, fill_disk, NULL);
	if (err) {
		xenbus_dev_fatal(xdev, err, "publishing the disk in %s",
				 xdev->nodename);
		return;
	}

	/* A ring halted since it was attached has closed the device. */
	mutex_lock(&dev->state_lock);
	halted = dev->halted;
	err = halted ? 0 : xbng_write_state_locked(dev, XenbusStateConnected);
	mutex_unlock(&dev->state_lock);
	if (halted)
		return;
	if (err) {
		xenbus_dev_fatal(xdev, err, "switching to Connected");
		return;
	}
	dev->connected = true;
	/* While a guest uses the disk, rmmod says the module is in use. */
	if (!dev->holds_module_ref) {
		__module_get(THIS_MODULE);
		dev->holds_module_ref = true;
	}
	xbng_info(dev, "connected: %u queue(s), ring order %u, %s, persistent grants %s\n",
		  dev->nr_rings, ilog2(dev->layout.nr_pages),
		  dev->abi == XBNG_ABI_X86_32 ? "x86_32-abi" : "x86_64-abi",
		  dev->persistent ? "on" : "off");
}

static void xbng_try_connect(struct xbng_dev *dev)
{
	enum xenbus_state fe = xbng_read_driver_state(dev->xdev,
						     dev->xdev->otherend);

	if (!dev->have_bdev || dev->xdev->state == XenbusStateConnected)
		return;
	if (fe != XenbusStateInitialised && fe != XenbusStateConnected)
		return;
	xbng_owe_closed(dev, false);
	/* A frontend that reconnects without closing (kexec, crash). */
	xbng_disconnect(dev);
	/*
	 * The old rings take no more requests, so a halt comes from the next
	 * ones (an old thread that was checking its ring's indexes just now
	 * can still halt: its frontend then has to start over, as after any
	 * halt, and nobody else is affected).
	 */
	dev->halted = false;
	dev->lim.dev_sectors = bdev_nr_sectors(dev->bdev.bdev);
	xbng_blkcg_connect(dev);
	if (xbng_connect_rings(dev)) {
		xbng_disconnect(dev);
		return;
	}
	xbng_publish(dev);
	if (!dev->connected)
		xbng_disconnect(dev);
}

/* Open the backing device the hotplug script named. */
static int xbng_open_vbd(struct xbng_dev *dev, u32 major, u32 minor,
			 bool readonly, bool cdrom)
{
	struct xbng_limits *lim = &dev->lim;
	struct block_device *bdev;
	int err;

	err = xbng_bdev_open(&dev->bdev, MKDEV(major, minor), !readonly, NULL);
	if (err)
		return err;
	bdev = dev->bdev.bdev;

	dev->major = major;
	dev->minor = minor;
	dev->readonly = readonly;
	dev->vdisk_info = 0;
	if (readonly)
		dev->vdisk_info |= VDISK_READONLY;
	if (cdrom || xbng_bdev_is_cdrom(bdev))
		dev->vdisk_info |= VDISK_CDROM;
	if (xbng_bdev_is_removable(bdev))
		dev->vdisk_info |= VDISK_REMOVABLE;

	memset(lim, 0, sizeof(*lim));
	lim->dev_sectors = bdev_nr_sectors(bdev);
	lim->logical_block_size = bdev_logical_block_size(bdev);
	lim->max_indirect_segs = XBNG_MAX_INDIRECT_SEGS;
	lim->readonly = readonly;
	if (!readonly) {
		u32 enable = xenbus_read_unsigned(dev->xdev->nodename,
						  "discard-enable", 1);

		lim->flush = bdev_write_cache(bdev);
		lim->barrier = lim->flush;
		lim->discard = enable && bdev_max_discard_sectors(bdev);
		lim->secure_discard = lim->discard &&
				      bdev_max_secure_erase_sectors(bdev);
	}
	dev->have_bdev = true;
	xbng_info(dev, "backing device %x:%x, %llu sectors, %s\n", major,
		  minor, (unsigned long long)lim->dev_sectors,
		  readonly ? "read-only" : "writable");
	return 0;
}

/* The hotplug script wrote (or rewrote) physical-device. */
static void xbng_backend_changed(struct xenbus_watch *watch, const char *path,
				 const char *token)
{
	struct xbng_dev *dev = container_of(watch, struct xbng_backend_watch,
					    watch)->dev;
	struct xenbus_device *xdev = dev->xdev;
	char *phys, *mode, *type;
	bool writable = false, cdrom = false;
	u32 major, minor;
	int err;

	phys = xs_read(xdev->nodename, "physical-device");
	if (!phys)
		return;		/* not written yet: the watch fires again */
	if (IS_ERR(phys)) {
		xenbus_dev_fatal(xdev, PTR_ERR(phys), "reading physical-device");
		return;
	}
	err = xbng_parse_physical_device(phys, &major, &minor);
	kfree(phys);
	if (err) {
		xenbus_dev_fatal(xdev, err, "bad physical-device");
		return;
	}
	if (dev->have_bdev) {
		if (major != dev->major || minor != dev->minor)
			xbng_warn(dev, "changing physical device (%x:%x to %x:%x) is not supported\n",
				  dev->major, dev->minor, major, minor);
		return;
	}

	mode = xs_read(xdev->nodename, "mode");
	if (IS_ERR_OR_NULL(mode)) {
		xenbus_dev_fatal(xdev, mode ? PTR_ERR(mode) : -ENOENT,
				 "reading mode");
		return;
	}
	err = xbng_parse_mode(mode, &writable);
	kfree(mode);
	if (err) {
		xenbus_dev_fatal(xdev, err, "bad mode");
		return;
	}
	type = xs_read(xdev->otherend, "device-type");
	if (!IS_ERR_OR_NULL(type)) {
		cdrom = !strcmp(type, "cdrom");
		kfree(type);
	}

	err = xbng_open_vbd(dev, major, minor, !writable, cdrom);
	if (err) {
		xenbus_dev_fatal(xdev, err, "opening %x:%x", major, minor);
		return;
	}
	xbng_try_connect(dev);
}

static void xbng_frontend_changed(struct xenbus_device *xdev,
				  enum xenbus_state fe_state)
{
	struct xbng_dev *dev = dev_get_drvdata(&xdev->dev);

	trace_xbng_state(dev->domid, dev->handle, true, fe_state, 0);
	switch (fe_state) {
	case XenbusStateInitialising:
		/* Started over: no Closed is owed for the old rings. */
		xbng_owe_closed(dev, false);
		if (xdev->state == XenbusStateClosed) {
			xbng_info(dev, "frontend reconnecting\n");
			xbng_switch_state(dev, XenbusStateInitWait);
		} else if (xdev->state == XenbusStateConnected) {
			/*
			 * The frontend started over under us: its Closing and
			 * Closed came and went between two watch events, or we
			 * connected on a state it had already left.  Drop the old
			 * rings and wait for new ones, or both ends would wait
			 * for each other for ever.
			 */
			xbng_info(dev, "frontend restarted while connected\n");
			xbng_disconnect(dev);
			xbng_switch_state(dev, XenbusStateInitWait);
		}
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		xbng_try_connect(dev);
		break;
	case XenbusStateClosing:
		xbng_switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		/* Closed once the rings are torn down: xbng_disconnect(). */
		xbng_owe_closed(dev, true);
		xbng_disconnect(dev);
		if (xenbus_dev_is_online(xdev))
			break;
		fallthrough;
	case XenbusStateUnknown:
		/* The toolstack removed the device: remove() does the rest. */
		device_unregister(&xdev->dev);
		break;
	default:
		xenbus_dev_fatal(xdev, -EINVAL, "saw state %d at frontend",
				 fe_state);
		break;
	}
}

void xbng_dev_log(struct xbng_dev *dev, bool warn, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!___ratelimit(warn ? &dev->warn_rs : &dev->info_rs, dev->name))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (warn)
		pr_warn(DRV_NAME ": %s: %pV", dev->name, &vaf);
	else
		pr_info(DRV_NAME ": %s: %pV", dev->name, &vaf);
	va_end(args);
}

/*
 * Linux cannot take a watch back from xenstore when it runs out of memory:
 * unregister_xenbus_watch() logs "Failed to release watch" and forgets it,
 * while xenstore keeps it under its token, the watch's address.  A new
 * watch on the same node at that address is then refused with -EEXIST,
 * which would refuse this disk to its guest for as long as the allocator
 * hands out that address again.  So a refused watch moves: the next one is
 * allocated while the refused one is still held, hence elsewhere.
 */
#define XBNG_WATCH_TRIES 3

static int xbng_watch_backend(struct xbng_dev *dev)
{
	struct xbng_backend_watch *w, *refused[XBNG_WATCH_TRIES] = { };
	char *node;
	int i, err = -ENOMEM;

	node = kasprintf(GFP_KERNEL, "%s/physical-device",
			 dev->xdev->nodename);
	if (!node)
		return -ENOMEM;
	for (i = 0; i < XBNG_WATCH_TRIES; i++) {
		w = kzalloc(sizeof(*w), GFP_KERNEL);
		if (!w) {
			err = -ENOMEM;
			break;
		}
		w->dev = dev;
		w->watch.node = node;
		w->watch.callback = xbng_backend_changed;
		err = register_xenbus_watch(&w->watch);
		if (!err) {
			dev->backend_watch = w;
			break;
		}
		refused[i] = w;
		if (err != -EEXIST)
			break;
		xbng_warn(dev, "xenstore holds a stale watch on %s: moving\n",
			  node);
	}
	for (i = 0; i < XBNG_WATCH_TRIES; i++)
		kfree(refused[i]);
	if (err)
		kfree(node);
	return err;
}

static void xbng_unwatch_backend(struct xbng_dev *dev)
{
	struct xbng_backend_watch *w = dev->backend_watch;

	if (!w)
		return;
	unregister_xenbus_watch(&w->watch);
	kfree(w->watch.node);
	kfree(w);
	dev->backend_watch = NULL;
}

static int xbng_probe(struct xenbus_device *xdev,
		      const struct xenbus_device_id *id)
{
	struct xbng_dev *dev;
	int err;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating backend");
		return -ENOMEM;
	}
	dev->xdev = xdev;
	refcount_set(&dev->refs, 1);
	dev->domid = xdev->otherend_id;
	mutex_init(&dev->lock);
	mutex_init(&dev->state_lock);
	spin_lock_init(&dev->blkcg_lock);
	INIT_DELAYED_WORK(&dev->state_work, xbng_state_work);
	strscpy(dev->name, dev_name(&xdev->dev), sizeof(dev->name));
	ratelimit_state_init(&dev->warn_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&dev->info_rs, 60 * HZ, 5);
	/* "backend/vbd/DOMID/HANDLE", written by the toolstack. */
	if (kstrtouint(strrchr(xdev->nodename, '/') + 1, 10, &dev->handle))
		dev->handle = 0;
	dev->advertise_persistent = READ_ONCE(xbng_feature_persistent);
	dev->domain = xbng_domain_get(dev->domid);
	if (!dev->domain) {
		kfree(dev);
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating backend");
		return -ENOMEM;
	}
	dev_set_drvdata(&xdev->dev, dev);

	/* Failing to advertise only means the frontend uses less. */
	err = xenbus_printf(XBT_NIL, xdev->nodename,
			    "feature-max-indirect-segments", "%u",
			    XBNG_MAX_INDIRECT_SEGS);
	if (err)
		xbng_warn(dev, "cannot advertise indirect segments (%d)\n",
			  err);
	err = xenbus_printf(XBT_NIL, xdev->nodename, "multi-queue-max-queues",
			    "%u", READ_ONCE(xbng_max_queues));
	if (err)
		xbng_warn(dev, "cannot advertise multi-queue (%d)\n", err);
	err = xenbus_printf(XBT_NIL, xdev->nodename, "max-ring-page-order",
			    "%u", xbng_max_ring_order);
	if (err)
		xbng_warn(dev, "cannot advertise ring order (%d)\n", err);

	err = xbng_watch_backend(dev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "watching physical-device");
		goto fail;
	}

	xbng_debugfs_dev_add(dev);
	xbng_switch_state(dev, XenbusStateInitWait);
	return 0;

fail:
	xbng_unwatch_backend(dev);
	dev_set_drvdata(&xdev->dev, NULL);
	xbng_domain_put(dev->domain);
	kfree(dev);
	return err;
}

static void xbng_remove(struct xenbus_device *xdev)
{
	struct xbng_dev *dev = dev_get_drvdata(&xdev->dev);

	if (!dev)
		return;
	xbng_unwatch_backend(dev);
	xbng_disconnect(dev);
	xbng_debugfs_dev_del(dev);
	/* No state is owed to a device that is going away. */
	mutex_lock(&dev->state_lock);
	dev->removed = true;
	mutex_unlock(&dev->state_lock);
	cancel_delayed_work_sync(&dev->state_work);
	dev_set_drvdata(&xdev->dev, NULL);
	/* The disk closes once no ring in teardown uses it. */
	xbng_dev_put(dev);
}

XBNG_DEFINE_XENBUS_REMOVE(xbng_remove);

/* The xenbus shrinker calls this on memory pressure. */
static void xbng_reclaim_memory(struct xenbus_device *xdev)
{
	xbng_pool_pressure();
}

XBNG_DEFINE_XENBUS_RECLAIM_MEMORY(xbng_reclaim_memory);

/* The device rejected a flush: stop advertising flushes and barriers. */
void xbng_dev_withdraw_flush(struct xbng_dev *dev)
{
	const char *node = dev->xdev->nodename;

	if (!READ_ONCE(dev->lim.flush) && !READ_ONCE(dev->lim.barrier))
		return;
	WRITE_ONCE(dev->lim.flush, false);
	WRITE_ONCE(dev->lim.barrier, false);
	xbng_warn(dev, "device does not support flush, withdrawing it\n");
	xenbus_printf(XBT_NIL, node, "feature-flush-cache", "0");
	xenbus_printf(XBT_NIL, node, "feature-barrier", "0");
}

/* The new size, and our state again, which makes the frontend read it. */
static int fill_size(struct xbng_dev *dev, struct xenbus_transaction xbt,
		     const void *arg)
{
	const char *node = dev->xdev->nodename;
	int err;

	err = xenbus_printf(xbt, node, "sectors", "%llu",
			    *(const unsigned long long *)arg);
	if (!err)
		err = xenbus_printf(xbt, node, "state", "%d",
				    dev->xdev->state);
	return err;
}

/* Online resize: tell the frontend. */
void xbng_dev_resized(struct xbng_dev *dev, sector_t sectors)
{
	unsigned long long n = sectors;
	int err;

	xbng_info(dev, "resized from %llu to %llu sectors\n",
		  (unsigned long long)dev->lim.dev_sectors, n);
	WRITE_ONCE(dev->lim.dev_sectors, sectors);
	err = xbng_xs_transact(dev, fill_size, &n);
	if (err)
		xbng_warn(dev, "cannot announce the new size (%d)\n", err);
}

static const struct xenbus_device_id xbng_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver xbng_driver = {
	.ids = xbng_ids,
	.probe = xbng_probe,
	.remove = XBNG_XENBUS_REMOVE(xbng_remove),
	.otherend_changed = xbng_frontend_changed,
	XBNG_XENBUS_RECLAIM_MEMORY(xbng_reclaim_memory)
	.allow_rebind = true,
	.driver.dev_groups = xbng_dev_groups,
};

int xbng_xenbus_init(void)
{
	int err;

	xbng_reap_wq = alloc_workqueue("xbng_reap", WQ_UNBOUND, 0);
	if (!xbng_reap_wq)
		return -ENOMEM;
	err = xenbus_register_backend(&xbng_driver);
	if (err)
		destroy_workqueue(xbng_reap_wq);
	if (err == -EBUSY)
		pr_err(DRV_NAME ": another driver already serves 'vbd' devices (the stock xen-blkback?): unload it with 'rmmod xen-blkback', or install the package's blacklist and reboot\n");
	return err;
}

void xbng_xenbus_exit(void)
{
	xenbus_unregister_driver(&xbng_driver);
	/* Waits for the rings still in teardown. */
	destroy_workqueue(xbng_reap_wq);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xen-blkback-ng: structures shared by the kernel side of the backend.
 *
 * One struct xbng_dev per xenbus "vbd" device; it owns the block device and
 * one struct xbng_ring per queue the frontend asked for.  Each ring has one
 * kernel thread that does everything guest-facing for that ring: reading and
 * validating requests, mapping and unmapping grants, submitting bios,
 * writing responses.  Bio completion only queues the request back to that
 * thread, so grant state is touched by one thread per ring and needs no lock.
 */
#ifndef XBNG_COMMON_H
#define XBNG_COMMON_H

#include <linux/blkdev.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "compat/compat.h"
#include "core/request.h"
#include "core/xs_values.h"
#include "pool/domain.h"
#include "pool/pool.h"

#define DRV_NAME "xen-blkback-ng"

/* The longest cgroup path a device may be charged to, with its NUL. */
#define XBNG_CGROUP_PATH_MAX	256

/* Grant map/unmap hypercalls are batched this many operations at a time. */
#define XBNG_MAP_BATCH		32

/*
 * A ring idle this long releases its idle request descriptors and persistent
 * grants under every policy (the idle policies release them sooner), so an
 * idle disk is back at its connect-time cost within 10 s: the housekeeping
 * tick (XBNG_TICK_IDLE) may come up to a second late.
 */
#define XBNG_IDLE_EXPIRE_MS	8000

/*
 * How often a ring thread looks again at the pages that storage still holds
 * after their request completed (see xbng_page_held()).
 */
#define XBNG_HELD_POLL		max_t(unsigned long, HZ / 50, 1)

/* How often an otherwise idle ring thread wakes for housekeeping. */
#define XBNG_TICK_IDLE		HZ
/* ... and while persistent grants are over their cap. */
#define XBNG_TICK_BUSY		(HZ / 10)

/* Module parameters (main.c); read where used, so runtime writes apply. */
extern unsigned int xbng_max_persistent_grants;
extern unsigned int xbng_pgrant_unused_seconds;
extern unsigned int xbng_max_queues;
extern unsigned int xbng_max_ring_order;
extern bool xbng_log_stats;
extern bool xbng_feature_persistent;

/* Per-ring request counters; written by the ring thread only. */
struct xbng_ring_stats {
	u64 oo_req;		/* requests that waited for a free descriptor */
	u64 mem_waits;		/* requests that waited for pages to map into */
	u64 rd_req;
	u64 wr_req;
	u64 f_req;		/* flush and barrier */
	u64 ds_req;		/* discard */
	u64 rd_sect;
	u64 wr_sect;
	u64 bad_req;		/* refused as malformed */
	u64 map_calls;		/* grant-map hypercall batches */
	u64 map_ops;		/* grants mapped */
	u64 unmap_calls;
	u64 unmap_ops;
	/*
	 * Requests answered late, and persistent grants unmapped late,
	 * because storage still held a page after the I/O completed.
	 */
	u64 unmap_deferred;
	u64 pgrants;		/* persistent grants held now */
	u64 indirect_req;	/* requests whose segments came indirect */
	/* Persistent grants unmapped at the cap to make room for new ones. */
	u64 pgrant_evicted;
	/*
	 * Events from the frontend (written by the interrupt handler) and
	 * notifications sent to it (under done_lock).
	 */
	u64 events_in;
	u64 events_out;
};

/* A grant the frontend let us keep mapped across requests. */
struct xbng_pgrant {
	struct rb_node node;		/* ring->pgrants, keyed by gref */
	struct list_head lru;		/* ring->pgrant_lru, oldest first */
	struct page *page;
	unsigned long last_used;	/* jiffies */
	grant_ref_t gref;
	grant_handle_t handle;
	bool in_use;
	bool held;			/* counted in unmap_deferred since use */
};

/* One mapped guest page of a request (data segment or indirect page). */
struct xbng_seg_map {
	struct page *page;
	struct xbng_pgrant *pgrant;	/* when backed by a persistent grant */
	grant_handle_t handle;		/* non-persistent mapping, else invalid */
	grant_ref_t gref;
	u8 first_sect;
	u8 last_sect;
};

#define XBNG_INVALID_HANDLE	((grant_handle_t)~0U)

/*
 * The segment maps of an indirect request live in chunks of at most one
 * page each, so that no allocation on the request path ever needs more
 * than one physically contiguous page (a 256-segment array would be 8 KiB).
 */
#define XBNG_SEGS_PER_CHUNK	(PAGE_SIZE / sizeof(struct xbng_seg_map))
#define XBNG_SEG_CHUNKS		DIV_ROUND_UP(XBNG_MAX_INDIRECT_SEGS, \
					     XBNG_SEGS_PER_CHUNK)

/*
 * A guest request in flight.  Descriptors are created on demand up to the
 * ring's size and kept on the ring's free list; the arrays for indirect
 * segments are only allocated for rings whose frontend uses indirect I/O,
 * and sized to the largest request it sent.
 */
struct xbng_pending {
	struct list_head node;		/* free list or done list */
	struct xbng_ring *ring;
	u64 id;
	u64 sector;			/* as the guest sent it */
	u64 nr_sectors;			/* 0 until the segments are checked */
	u64 start_ns;			/* dispatch, while xbng_response is traced */
	u8 operation;			/* echoed in the response */
	bool indirect;			/* segments in chunk[], not direct_segs */
	enum xbng_kind kind;
	unsigned int nr_segs;
	atomic_t bios_left;
	blk_status_t status;
	/*
	 * Nothing to unmap (every segment a persistent grant, or none): a
	 * successful completion answers the frontend at once, from the bio's
	 * completion, and the thread only recycles the descriptor.
	 */
	bool answer_at_completion;
	bool answered;
	/* Room for indirect_cap segment maps, XBNG_SEGS_PER_CHUNK a chunk. */
	struct xbng_seg_map *chunk[XBNG_SEG_CHUNKS];
	unsigned int indirect_cap;
	/* Charged to the domain's budget; 0 for the ring's floor descriptors. */
	size_t charged;
	struct xbng_seg_map direct_segs[XBNG_MAX_DIRECT_SEGS];
};

/* Segment @i of @req, wherever it lives. */
static inline struct xbng_seg_map *xbng_req_seg(struct xbng_pending *req,
						unsigned int i)
{
	if (!req->indirect)
		return &req->direct_segs[i];
	return &req->chunk[i / XBNG_SEGS_PER_CHUNK][i % XBNG_SEGS_PER_CHUNK];
}

struct xbng_dev;

struct xbng_ring {
	struct xbng_dev *dev;
	unsigned int index;
	bool initialised;		/* xbng_ring_connect() ran */
	/*
	 * What a page of this ring costs the domain's budget, fixed when
	 * the ring is created: its floor, xbng_ring_floor(page_cost), is
	 * charged then and given back when it is freed.
	 */
	size_t page_cost;

	/* The shared ring, as the frontend laid it out. */
	void *sring;
	unsigned int nr_slots;
	unsigned int slot_size;
	RING_IDX req_cons;
	RING_IDX rsp_prod_pvt;		/* under done_lock */
	RING_IDX rsp_pushed;		/* last rsp_prod we published */
	bool broken;			/* frontend misbehaved, ring halted */
	bool stopping;			/* detached: take no more requests */

	int irq;
	bool irq_pending;		/* owes a late EOI */
	bool pressure_pending;		/* pressure: release idle pools */
	struct task_struct *thread;
	wait_queue_head_t wq;
	bool waiting_reqs;

	/* Request descriptors. */
	struct list_head free_pending;	/* most recently used first */
	unsigned int nr_pending;	/* allocated */
	unsigned int floor_descs;	/* descriptors with charged == 0 */
	struct xbng_pool_meter desc_meter;	/* taken off the free list */
	unsigned int inflight;
	unsigned long last_io;		/* jiffies of the last request */
	/*
	 * The done list and the response ring: both are written by the
	 * thread and at bio completion (any context).
	 */
	spinlock_t done_lock;
	struct list_head done;
	bool want_completions;		/* under done_lock: wake on each */
	/* Completed, but storage still holds one of their pages. */
	struct list_head held;
	unsigned int nr_held;

	/* Persistent grants. */
	struct rb_root pgrants;
	struct list_head pgrant_lru;
	unsigned int nr_pgrants;	/* mirrored in stats.pgrants */
	struct xbng_pool_meter pgrant_meter;	/* serving a request now */

	struct xbng_pool pool;
	struct xbng_ring_stats stats;
	struct dentry *debugfs;		/* queue-N, while the ring is live */
	unsigned int blkcg_gen;		/* the device's cgroup the thread uses */
	unsigned long next_tick;
	unsigned long next_stats_log;

	/* Scratch for one hypercall batch; the thread is its only user. */
	struct gnttab_map_grant_ref map_ops[XBNG_MAP_BATCH];
	struct page *batch_pages[XBNG_MAP_BATCH];
	struct xbng_seg_map *batch_maps[XBNG_MAP_BATCH];
	/*
	 * Unmaps queued by xbng_unmap_segs_queue(), until xbng_unmap_flush():
	 * the unmaps of several requests share one hypercall, and so one TLB
	 * flush on every CPU dom0 ran on.
	 */
	struct gnttab_unmap_grant_ref unmap_ops[XBNG_MAP_BATCH];
	struct page *unmap_pages[XBNG_MAP_BATCH];
	unsigned int nr_unmap_queued;
	/* The request being dispatched, or the parked one (ring_park()). */
	u8 slot_copy[XBNG_SLOT_SIZE_MAX];
	struct xbng_pending *parked;
	struct xbng_seg indirect_copy[XBNG_MAX_INDIRECT_SEGS];
};

/*
 * The watch on a device's physical-device node.  Allocated on its own, not
 * in struct xbng_dev: xenstore knows a watch by its token, the address of
 * the struct xenbus_watch, and a device must be able to move its watch
 * (xbng_watch_backend()).
 */
struct xbng_backend_watch {
	struct xenbus_watch watch;
	struct xbng_dev *dev;
};

struct xbng_dev {
	struct xenbus_device *xdev;
	domid_t domid;
	unsigned int handle;		/* the virtual device number */
	char name[32];			/* "vbd-DOMID-HANDLE", for messages */
	/*
	 * A guest can provoke every message about its device (refused
	 * requests, a frontend flapping between states), so each device has
	 * its own limits: one guest can neither flood dom0's log nor use up
	 * the share of a global limit that another guest's messages need.
	 */
	struct ratelimit_state warn_rs;	/* errors: 10 per 5 s */
	struct ratelimit_state info_rs;	/* connection changes: 5 a minute */

	struct xbng_backend_watch *backend_watch;	/* physical-device */

	/* The backing device, opened when the hotplug script names it. */
	struct xbng_bdev bdev;
	bool have_bdev;
	u32 major;
	u32 minor;
	bool readonly;
	unsigned int vdisk_info;	/* VDISK_* bits */

	/*
	 * A ring thread that halts its ring closes the device from outside
	 * xenwatch: state_lock orders that against going Connected, and
	 * halted keeps a halt from being overwritten by the publish that
	 * follows it.  Cleared when the next connection starts.
	 */
	struct mutex state_lock;
	bool halted;

	/*
	 * The probe's reference, and one per set of rings being torn down
	 * in the background (xenbus.c): the last one closes the disk.
	 */
	refcount_t refs;
	/* Under state_lock: teardowns in progress, and a Closed owed after. */
	unsigned int reaps;
	bool close_pending;
	/*
	 * Under state_lock: a state whose write to xenstore failed, written
	 * again by state_work until it sticks (XenbusStateUnknown: none);
	 * removed stops that once the device is going away.
	 */
	enum xenbus_state state_owed;
	struct delayed_work state_work;
	bool removed;

	/* Latched per connection. */
	struct mutex lock;		/* rings vs. sysfs and reconnects */
	struct xbng_limits lim;
	enum xbng_abi abi;
	bool advertise_persistent;	/* what we wrote, fixed at probe */
	bool persistent;		/* negotiated */
	struct xbng_ring_layout layout;
	unsigned int nr_rings;
	struct xbng_ring **rings;
	bool connected;
	bool holds_module_ref;

	struct xbng_pool_stats pool_stats;
	struct dentry *debugfs;		/* vbd-D-H, from probe to remove */
	/* pool/policy: this device's policy, NULL to follow pool_policy. */
	const struct xbng_pool_policy *policy;
	struct xbng_domain *domain;	/* budget shared by the guest's disks */

	/*
	 * The cgroup2 the guest's I/O is charged to (blkcg.c): its io
	 * controller state (NULL: the root) and path, under blkcg_lock;
	 * blkcg_gen moves on each change, for the ring threads to follow.
	 */
	spinlock_t blkcg_lock;
	struct cgroup_subsys_state *blkcg_css;
	char blkcg_path[XBNG_CGROUP_PATH_MAX];
	unsigned int blkcg_gen;
	bool blkcg_explicit;		/* written through sysfs */
};

/*
 * Requests in flight that every queue keeps at its guest's budget.  The
 * budget is shared with persistent grants, a cache that the first requests
 * fill before later requests ask for descriptors; without a reserve the
 * cache took what was left above the floors and the ring ran at one or two
 * requests in flight for as long as its grants lived.
 */
#define XBNG_FLOOR_REQS		4

/*
 * What the budget charges for a descriptor, and for each indirect segment
 * it has room for: the descriptor and its segment maps, and the bio and
 * bio_vecs it submits while in flight (allocated per request from the
 * kernel's bio set, charged for as long as the descriptor lives).
 */
#define XBNG_DESC_CHARGE	(sizeof(struct xbng_pending) + sizeof(struct bio) + \
				 XBNG_MAX_DIRECT_SEGS * sizeof(struct bio_vec))
#define XBNG_SEG_CHARGE		(sizeof(struct xbng_seg_map) + sizeof(struct bio_vec))

/*
 * Pages a ring maps for XBNG_FLOOR_REQS requests of the largest size: their
 * segments and indirect pages.
 */
#define XBNG_FLOOR_PAGES	(XBNG_FLOOR_REQS * (XBNG_MAX_INDIRECT_SEGS + \
						    XBNG_MAX_INDIRECT_PAGES))

/*
 * What a ring needs at least, charged to the domain at connect: the ring,
 * its thread (stack and task), XBNG_FLOOR_REQS descriptors, each with the
 * largest indirect array and bio, and the XBNG_FLOOR_PAGES pages they map, at
 * @page_cost each (xbng_pool_page_cost()).  With it the ring always has
 * that many requests in flight, whatever the budget says later and whatever
 * else the guest's devices hold.  The charge is an account, not an
 * allocation: an idle ring still frees its descriptors and pages.
 */
static inline size_t xbng_ring_floor(size_t page_cost)
{
	return sizeof(struct xbng_ring) + THREAD_SIZE +
	       sizeof(struct task_struct) +
	       XBNG_FLOOR_REQS * (XBNG_DESC_CHARGE +
				  XBNG_MAX_INDIRECT_SEGS * XBNG_SEG_CHARGE) +
	       XBNG_FLOOR_PAGES * page_cost;
}

/* blkcg.c */
/* Charge @dev's I/O to the cgroup at @path ("": the root); -EINVAL if none. */
int xbng_blkcg_set(struct xbng_dev *dev, const char *path);
ssize_t xbng_blkcg_show(struct xbng_dev *dev, char *buf);
/* At connect: the xenstore key or the template, unless sysfs chose. */
void xbng_blkcg_connect(struct xbng_dev *dev);
/* From a ring's thread: charge what it submits to the device's cgroup. */
void xbng_blkcg_sync_thread(struct xbng_ring *ring);
/* From a ring's tick: a removed cgroup falls back to the root. */
void xbng_blkcg_check(struct xbng_dev *dev);
void xbng_blkcg_release(struct xbng_dev *dev);

/* xenbus.c */
int xbng_xenbus_init(void);
void xbng_xenbus_exit(void);
void xbng_dev_withdraw_flush(struct xbng_dev *dev);
void xbng_dev_resized(struct xbng_dev *dev, sector_t sectors);

/* ring.c */
/* Called with the device's rings detached: the thread takes no more. */
void xbng_ring_stop_intake(struct xbng_ring *ring);
bool xbng_ring_busy(struct xbng_ring *ring);
int xbng_ring_connect(struct xbng_ring *ring, grant_ref_t *grefs,
		      unsigned int nr_pages, evtchn_port_t evtchn);
void xbng_ring_disconnect(struct xbng_ring *ring);
void xbng_ring_complete(struct xbng_pending *req);
void xbng_ring_kick(struct xbng_ring *ring);

/* grant.c */
/*
 * Whether something besides the mapping holds @page: network storage keeps
 * references after the bio completed (an skb queued for retransmission, a
 * zero-copy send).  Unmapping such a page would pull the guest's memory
 * from under it, and handing it out again would send another guest's data.
 */
static inline bool xbng_page_held(struct page *page)
{
	return page_count(page) > 1;
}

/*
 * Map @n segments, from persistent grants where possible.  Returns how many
 * got a mapping of their own, which xbng_unmap_segs_queue() undoes (0: every
 * one is a persistent grant), or -EIO.
 */
int xbng_map_segs(struct xbng_ring *ring, struct xbng_seg_map *maps,
		  unsigned int n, bool readonly);
/*
 * Release @n segments: persistent grants at once, own mappings queued for
 * xbng_unmap_flush(), which must run before the request is answered.
 */
void xbng_unmap_segs_queue(struct xbng_ring *ring, struct xbng_seg_map *maps,
			   unsigned int n);
void xbng_unmap_flush(struct xbng_ring *ring);
void xbng_pgrant_purge(struct xbng_ring *ring, unsigned long drop,
		       unsigned long min_idle);
void xbng_pgrant_purge_all(struct xbng_ring *ring);
bool xbng_pgrant_over_cap(struct xbng_ring *ring);

/* io.c */
void xbng_io_submit(struct xbng_pending *req, u64 sector);
s16 xbng_io_discard(struct xbng_ring *ring, const struct xbng_req *req,
		    bool secure);

/* sysfs.c */
extern const struct attribute_group *xbng_dev_groups[];
int xbng_sysfs_init(void);
void xbng_sysfs_exit(void);

/* debugfs.c */
void xbng_debugfs_init(void);
void xbng_debugfs_exit(void);
void xbng_debugfs_dev_add(struct xbng_dev *dev);
void xbng_debugfs_dev_del(struct xbng_dev *dev);
void xbng_debugfs_ring_add(struct xbng_ring *ring);
/* Before the ring stops: a reader never finds it half torn down. */
void xbng_debugfs_ring_del(struct xbng_ring *ring);

/*
 * Messages about a device, within its own limits (warn_rs or info_rs); the
 * suppressed count is reported under the device's name.
 */
__printf(3, 4)
void xbng_dev_log(struct xbng_dev *dev, bool warn, const char *fmt, ...);
#define xbng_warn(dev, fmt, ...) xbng_dev_log(dev, true, fmt, ##__VA_ARGS__)
#define xbng_info(dev, fmt, ...) xbng_dev_log(dev, false, fmt, ##__VA_ARGS__)

#endif /* XBNG_COMMON_H */

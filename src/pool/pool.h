/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-ring pools of free pages used as grant-mapping targets, the pressure
 * path every pool of a ring shares, and the accounting that sysfs shows.
 * The active policy (policy.h) decides how many idle items each pool keeps;
 * this file carries the decision out for pages, ring.c and grant.c for
 * request descriptors and persistent grants.
 */
#ifndef XBNG_POOL_POOL_H
#define XBNG_POOL_POOL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <xen/grant_table.h>

#include "domain.h"
#include "policy.h"

/*
 * The other pools a ring keeps besides free pages: request descriptors and
 * persistent-grant bookkeeping.  Same accounting as the page pool.
 */
struct xbng_pool_count {
	atomic_long_t held;		/* items held now */
	atomic_long_t high_water;	/* most items held at once */
	atomic64_t allocated;		/* items created */
	atomic64_t released;		/* items freed */
	atomic_long_t bytes;		/* dom0 memory they hold now */
};

/* Counters shown under pool/ of a device, and once more for the module. */
struct xbng_pool_stats {
	atomic_long_t free_pages;	/* free pages held now */
	atomic_long_t high_water;	/* most free pages ever held at once */
	atomic64_t allocated;		/* pages taken from the allocator */
	atomic64_t released;		/* pages given back to it */
	atomic64_t pressure_events;	/* pressure callbacks that acted */
	atomic64_t squeezes;		/* pools emptied by pressure */
	/* Time from the last pressure event to all free pages released. */
	atomic64_t last_squeeze_ns;
	/*
	 * Time from the last pressure event to the last ring that answered
	 * it having released its idle descriptors, grants and pages.
	 */
	atomic_long_t last_release_ns;
	u64 pressure_seq;		/* last event counted; all_pools_lock */
	struct xbng_pool_count desc;	/* request descriptors */
	struct xbng_pool_count pgrant;	/* persistent grants */
};

struct xbng_pool {
	/*
	 * Called (spinlocks held, may not sleep) when pressure emptied this
	 * pool, so that its owner releases its other idle pools too.
	 */
	void (*on_pressure)(struct xbng_pool *pool);
	/*
	 * The owning device's policy override (NULL: follow pool_policy).
	 * Written by sysfs, read locklessly by the ring thread and the
	 * pressure path: a policy is a static object, so any value read is
	 * one that stays valid; READ_ONCE/WRITE_ONCE keep the accesses whole.
	 */
	const struct xbng_pool_policy *const *dev_policy;
	spinlock_t lock;		/* free, in_use and cache together */
	struct gnttab_page_cache cache;
	unsigned long free;
	struct xbng_pool_meter meter;	/* pages taken and not yet put */
	u64 last_busy_ms;		/* last time a page was taken */
	/*
	 * Idle descriptors and persistent grants of the owner, published by
	 * it for the shrinker's count (pressure releases them too).
	 */
	unsigned long idle_items;
	struct list_head node;		/* on the global list, for pressure */
	struct xbng_pool_stats *dev_stats;
	/*
	 * Pages the pool owns, free or taken (mapped for a request, held by
	 * a persistent grant or by storage), under lock.  The domain pays
	 * page_cost for each past floor_pages, which the ring's floor paid
	 * for at connect.
	 */
	unsigned long owned;
	unsigned long floor_pages;
	size_t page_cost;
	struct xbng_domain *domain;
	/* The owner's device and queue, for the tracepoints. */
	u32 trace_dev;
	u16 trace_queue;
};

extern struct xbng_pool_stats xbng_global_pool_stats;

/* The module-wide policy, changed through the pool_policy parameter. */
const struct xbng_pool_policy *xbng_pool_policy(void);
void xbng_pool_set_policy(const struct xbng_pool_policy *pol);

/* The policy that governs @pool (and its owner's other pools). */
const struct xbng_pool_policy *xbng_pool_active(const struct xbng_pool *pool);

/*
 * A view of one of the owner's other pools, with the module-wide settings,
 * the clock and @m's in_use and demand filled in; the caller sets free,
 * cap, last_busy_ms, expire_ms and pressure.
 */
void xbng_pool_view_init(struct xbng_pool_view *v,
			 const struct xbng_pool_meter *m);
/* Fold @m's peak into its decayed demand (once a tick), or forget it. */
void xbng_pool_meter_fold(struct xbng_pool_meter *m);
void xbng_pool_meter_reset(struct xbng_pool_meter *m);

int xbng_pool_module_init(void);
void xbng_pool_module_exit(void);

void xbng_pool_init(struct xbng_pool *pool, struct xbng_pool_stats *stats,
		    const struct xbng_pool_policy *const *dev_policy,
		    struct xbng_domain *domain, unsigned long floor_pages,
		    size_t page_cost);
/* Gives every free page back; the pool's pages must all have been put. */
void xbng_pool_destroy(struct xbng_pool *pool);

/*
 * Take @n pages, from the pool first, then from the allocator: -EDQUOT if
 * the domain's budget cannot pay for the new ones, -ENOMEM if dom0 has none.
 */
int xbng_pool_get(struct xbng_pool *pool, struct page **pages, unsigned int n);
/* Return unmapped pages; keeps what the policy allows, releases the rest. */
void xbng_pool_put(struct xbng_pool *pool, struct page **pages,
		   unsigned int n);
/*
 * Periodic trim to the policy's target (policy switches, idle decay).  The
 * owner's ring was last busy at @busy_ms: with persistent grants a busy
 * ring may take no page for long, and its pool must not count as idle.
 */
void xbng_pool_tick(struct xbng_pool *pool, u64 busy_ms);
/*
 * Give every free page back now, if the pool's policy releases on pressure:
 * the owner's answer to a pressure event, after it released its other
 * pools (whose pages come back to this pool).  Records last_release_ns,
 * and returns it: the time since the event began (0: the policy keeps its
 * pages under pressure).
 */
u64 xbng_pool_squeeze(struct xbng_pool *pool);

/*
 * Account @items items of @bytes bytes in total created (positive) or freed
 * (negative) in one of a device's other pools, and in the module's total.
 */
void xbng_pool_count(struct xbng_pool_stats *dev_stats, size_t count_offset,
		     long items, long bytes);
#define XBNG_POOL_COUNT(dev_stats, which, items, bytes)			\
	xbng_pool_count(dev_stats, offsetof(struct xbng_pool_stats, which), \
			items, bytes)

/* Raise a high-water mark to @val if it is lower. */
void xbng_raise_high_water(atomic_long_t *hw, long val);

/* A memory-pressure signal from outside the shrinker (xenbus). */
void xbng_pool_pressure(void);

/* Whether a pooled page is a page of dom0 RAM on this kernel. */
bool xbng_pool_pages_cost_ram(void);
/* What one pooled page costs dom0: a page of RAM, or its struct page. */
size_t xbng_pool_page_cost(void);

#endif /* XBNG_POOL_POOL_H */

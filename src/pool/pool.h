/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-ring pools of free pages used as grant-mapping targets, and the
 * accounting that sysfs shows.  The active policy (policy.h) decides how
 * many free pages a pool keeps; this file only carries the decision out.
 */
#ifndef XBNG_POOL_POOL_H
#define XBNG_POOL_POOL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <xen/grant_table.h>

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
	spinlock_t lock;		/* free and cache together */
	struct gnttab_page_cache cache;
	unsigned long free;
	u64 last_busy_ms;		/* last time a page was taken */
	struct list_head node;		/* on the global list, for pressure */
	struct xbng_pool_stats *dev_stats;
};

extern struct xbng_pool_stats xbng_global_pool_stats;

/* The policy in force, changed through the pool_policy parameter. */
const struct xbng_pool_policy *xbng_pool_policy(void);
void xbng_pool_set_policy(const struct xbng_pool_policy *pol);

int xbng_pool_module_init(void);
void xbng_pool_module_exit(void);

void xbng_pool_init(struct xbng_pool *pool, struct xbng_pool_stats *stats);
/* Gives every free page back; the pool's pages must all have been put. */
void xbng_pool_destroy(struct xbng_pool *pool);

/* Take @n pages, from the pool first, then from the allocator. */
int xbng_pool_get(struct xbng_pool *pool, struct page **pages, unsigned int n);
/* Return unmapped pages; keeps what the policy allows, releases the rest. */
void xbng_pool_put(struct xbng_pool *pool, struct page **pages,
		   unsigned int n);
/* Periodic trim to the policy's target (policy switches, idle decay). */
void xbng_pool_tick(struct xbng_pool *pool);

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

/* Whether pressure asked pools to stay empty right now. */
bool xbng_pool_squeezing(void);

/* A memory-pressure signal from outside the shrinker (xenbus). */
void xbng_pool_pressure(void);

/* Whether a pooled page is a page of dom0 RAM on this kernel. */
bool xbng_pool_pages_cost_ram(void);

#endif /* XBNG_POOL_POOL_H */

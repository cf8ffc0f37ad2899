/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pool policies: how many idle items each pool of a ring may keep, and
 * whether a memory-pressure event empties it.  A ring keeps three pools:
 * free grant pages, request descriptors and persistent grants; one policy
 * governs all three, through the same table.
 *
 * A policy is a table of pure functions over a snapshot of one pool
 * (struct xbng_pool_view): it decides, the pool code (pool.c, and ring.c
 * for descriptors and persistent grants) acts.  That keeps every policy
 * testable in user space, and adding a policy means one new file plus one
 * line in the registry (policy.c).
 */
#ifndef XBNG_POOL_POLICY_H
#define XBNG_POOL_POLICY_H

#include "../core/xbng_types.h"

/*
 * What a policy may look at; times are milliseconds on one monotonic clock.
 * "Items" are pages, descriptors or persistent grants, whichever pool the
 * view describes; "idle" items are the ones the pool could release now.
 */
struct xbng_pool_view {
	unsigned long free;		/* idle items the pool holds now */
	unsigned long in_use;		/* items taken from the pool now */
	/* Recent demand: xbng_meter_demand() of the pool's meter. */
	unsigned long demand;
	unsigned long cap;		/* most idle items it may ever keep */
	u64 now_ms;
	u64 last_busy_ms;		/* last time the ring took an item */
	u64 squeeze_until_ms;		/* end of the current pressure window */
	u64 idle_ms;			/* pool_idle_ms: what counts as idle */
	/* Under every policy, a pool idle this long is emptied (0: never). */
	u64 expire_ms;
	/* A pressure event is being handled for this pool right now. */
	bool pressure;
};

struct xbng_pool_policy {
	const char *name;
	/*
	 * The most idle items the pool may keep now, before the rules every
	 * policy shares (xbng_pool_target()).
	 */
	unsigned long (*target)(const struct xbng_pool_view *v);
	/*
	 * True if a memory-pressure event must release the idle items at
	 * once (free pages in the pressure callback itself, which the
	 * shrinker then reports as freed; descriptors and persistent grants
	 * by the ring's thread, woken by it); false if pressure is ignored.
	 */
	bool release_on_pressure;
};

extern const struct xbng_pool_policy xbng_policy_static;
extern const struct xbng_pool_policy xbng_policy_squeeze;
extern const struct xbng_pool_policy xbng_policy_idle;
extern const struct xbng_pool_policy xbng_policy_adaptive;

/*
 * The default policy: the stock driver's behaviour since 5.6, which gives
 * its free pages back on xenbus's reclaim_memory.  Where pool pages are
 * dom0 RAM (pages_cost_ram), a default that ignores pressure would hold
 * them while the stock driver lets them go.
 */
#define XBNG_DEFAULT_POLICY (&xbng_policy_squeeze)

/*
 * Look a policy up by name.  One trailing newline is ignored (a sysfs write
 * of "squeeze\n"); anything else must match exactly.  NULL if unknown.
 */
const struct xbng_pool_policy *xbng_policy_find(const char *name);

/*
 * Print every policy's name, space separated, the active one in brackets
 * ("[static] squeeze idle"), followed by a newline, into @buf of @len bytes.
 * Returns the length written (as snprintf would, truncated to fit).
 */
int xbng_policy_list(char *buf, size_t len,
		     const struct xbng_pool_policy *active);

/*
 * A device's choice (its pool/policy file): a policy, or "default" to
 * follow the module-wide pool_policy.
 */
#define XBNG_POLICY_DEFAULT_NAME "default"

/*
 * Parse a device's choice as xbng_policy_find() does, "default" included:
 * 0 and *@pol set (NULL for "default"), or -EINVAL for anything else.
 */
int xbng_policy_choose(const char *name, const struct xbng_pool_policy **pol);

/*
 * List a device's choices: every policy, then "default", the device's
 * choice in brackets (@pinned, or "default" when NULL):
 * "static [squeeze] idle adaptive default\n",
 * "static squeeze idle adaptive [default]\n".  Returns as xbng_policy_list.
 */
int xbng_policy_list_choices(char *buf, size_t len,
			     const struct xbng_pool_policy *pinned);

/* Whether the view's clock is inside the current pressure window. */
bool xbng_pool_in_squeeze(const struct xbng_pool_view *v);

/* Whether the ring has taken no item for @ms (0: as soon as not busy). */
bool xbng_pool_idle_for(const struct xbng_pool_view *v, u64 ms);

/*
 * The most idle items the pool may keep now: the policy's target, after the
 * rules every policy shares.  A pressure event being handled empties the
 * pool under a policy that releases on pressure; a pool idle for
 * expire_ms is emptied under every policy; nothing exceeds cap.
 */
unsigned long xbng_pool_target(const struct xbng_pool_policy *pol,
			       const struct xbng_pool_view *v);

/*
 * How many idle items to release now so that the pool meets its target:
 * max(0, free - xbng_pool_target()).
 */
unsigned long xbng_pool_excess(const struct xbng_pool_policy *pol,
			       const struct xbng_pool_view *v);

/*
 * Persistent grants are not interchangeable: the frontend reuses its own
 * grant references, so a grant it used a moment ago is in its working set
 * and dropping it costs a map and an unmap when it comes back.  A policy's
 * excess therefore takes only grants unused for this long, except while a
 * pressure event is handled or inside its squeeze window, when every idle
 * grant may go.  Returns the minimum idle time in ms (0: any).
 */
#define XBNG_PGRANT_RECENT_MS	1000
unsigned int xbng_pgrant_min_idle_ms(const struct xbng_pool_view *v);

/*
 * The demand on one pool, kept by its owner (pool/adaptive.c has the
 * arithmetic).  Taking and returning items are counter updates; the
 * decay happens once per fold (the ring's one-second tick), never per
 * request.
 */
struct xbng_pool_meter {
	unsigned long in_use;		/* items taken from the pool now */
	unsigned long peak;		/* most in use at once since the fold */
	unsigned long demand;		/* decayed high-water mark at stamp_ms */
	u64 stamp_ms;			/* time of the last fold */
};

static inline void xbng_meter_take(struct xbng_pool_meter *m, unsigned long n)
{
	m->in_use += n;
	if (m->in_use > m->peak)
		m->peak = m->in_use;
}

static inline void xbng_meter_return(struct xbng_pool_meter *m,
				     unsigned long n)
{
	m->in_use -= n < m->in_use ? n : m->in_use;
}

/*
 * @v halved for every @half_life_ms of @elapsed_ms, linearly in between
 * (2^-x ~ 1 - x/2 for 0 <= x < 1: never below the exact value, at most 6%
 * above it); each whole half-life shifts right, so any value reaches 0
 * after at most 32 of them.  A half-life of 0 forgets at once.  Values
 * are clamped to 2^32 - 1 (item counts never get there), so no product
 * overflows.
 */
unsigned long xbng_decay(unsigned long v, u64 elapsed_ms,
			 unsigned int half_life_ms);

/*
 * The demand on the pool at @now_ms: the larger of the peak since the last
 * fold and the decayed high-water mark.  A @now_ms before the fold (clock
 * read before another thread folded) counts as no time at all.
 */
unsigned long xbng_meter_demand(const struct xbng_pool_meter *m, u64 now_ms,
				unsigned int half_life_ms);

/* Fold the peak into the decayed mark and start a new period at @now_ms. */
void xbng_meter_fold(struct xbng_pool_meter *m, u64 now_ms,
		     unsigned int half_life_ms);

/* Forget the history (after a pressure event): demand is what is in use. */
void xbng_meter_reset(struct xbng_pool_meter *m, u64 now_ms);

/*
 * The per-domain budget (pool/budget.c): whether a domain holding @used
 * bytes may take @add more under @budget bytes; a budget of 0 is no limit.
 */
bool xbng_budget_allows(unsigned long used, unsigned long add,
			unsigned long budget);

/*
 * A ring's pool owns pages (free, mapped for a request, held by a persistent
 * grant or by storage); the first @floor of them are paid for by the ring's
 * floor, charged at connect, and the budget pays for the rest.  How many of
 * @add more pages on top of @owned the budget must pay for, and how many of
 * @drop pages given back out of @owned it gets back.
 */
unsigned long xbng_budget_page_charge(unsigned long owned, unsigned long add,
				      unsigned long floor);
unsigned long xbng_budget_page_refund(unsigned long owned, unsigned long drop,
				      unsigned long floor);

#endif /* XBNG_POOL_POLICY_H */

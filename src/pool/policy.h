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

/* The default policy (stock behaviour). */
#define XBNG_DEFAULT_POLICY (&xbng_policy_static)

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
 * The per-domain budget (pool/budget.c): whether a domain holding @used
 * bytes may take @add more under @budget bytes; a budget of 0 is no limit.
 */
bool xbng_budget_allows(unsigned long used, unsigned long add,
			unsigned long budget);

#endif /* XBNG_POOL_POLICY_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pool policies: how many free pages a ring's pool may keep, and whether a
 * memory-pressure event empties it.
 *
 * A policy is a table of pure functions over a snapshot of one pool
 * (struct xbng_pool_view): it decides, the pool code (pool.c) acts.  That
 * keeps every policy testable in user space, and adding a policy means one
 * new file plus one line in the registry (policy.c).
 */
#ifndef XBNG_POOL_POLICY_H
#define XBNG_POOL_POLICY_H

#include "../core/xbng_types.h"

/* What a policy may look at; times are milliseconds on one monotonic clock. */
struct xbng_pool_view {
	unsigned long free;		/* free pages the pool holds now */
	unsigned long cap;		/* max_buffer_pages */
	u64 now_ms;
	u64 last_busy_ms;		/* last time the ring took a page */
	u64 squeeze_until_ms;		/* end of the current pressure window */
	u64 idle_ms;			/* pool_idle_ms: what counts as idle */
};

struct xbng_pool_policy {
	const char *name;
	/* The most free pages the pool may keep now. */
	unsigned long (*target)(const struct xbng_pool_view *v);
	/*
	 * True if a memory-pressure event must release the free pages in the
	 * pressure callback itself (the shrinker then reports them as
	 * freeable); false if pressure is ignored.
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

/*
 * How many free pages to release now so that the pool meets its target:
 * max(0, free - target).
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

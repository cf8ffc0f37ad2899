/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-domain accounts: the dom0 memory that all devices of one frontend
 * domain hold together, against the max_domain_kb budget.
 */
#ifndef XBNG_POOL_DOMAIN_H
#define XBNG_POOL_DOMAIN_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <xen/interface/xen.h>

struct xbng_domain {
	struct list_head node;		/* on the list of domains */
	domid_t domid;
	unsigned int devices;		/* references, under the list lock */
	atomic_long_t used;		/* bytes charged now */
	atomic_long_t high_water;
	atomic64_t refused;		/* charges refused by the budget */
};

/* The account of @domid, created on first use; NULL if out of memory. */
struct xbng_domain *xbng_domain_get(domid_t domid);
void xbng_domain_put(struct xbng_domain *dom);

/* Charge @bytes if the budget allows; false (and counted) if not. */
bool xbng_domain_charge(struct xbng_domain *dom, size_t bytes);
void xbng_domain_uncharge(struct xbng_domain *dom, size_t bytes);

/* The budget in bytes (0 = none). */
unsigned long xbng_domain_budget(void);

struct seq_file;
/* "DOMID DEVICES USED_KB HIGH_WATER_KB BUDGET_KB REFUSED" per domain. */
void xbng_domain_show(struct seq_file *m);

#endif /* XBNG_POOL_DOMAIN_H */

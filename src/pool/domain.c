// SPDX-License-Identifier: GPL-2.0
/*
 * Per-domain accounts.  A guest chooses how many disks, queues and ring
 * pages it uses, and dom0 pays for each; max_domain_kb bounds what all
 * devices of one domain may hold together.  A device whose minimum does not
 * fit fails to connect; a connected guest at its budget keeps the
 * descriptors it has (its ring simply waits for completions), so it never
 * takes memory that belongs to other guests.
 */
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "../trace/xbng_events.h"
#include "domain.h"
#include "pool.h"

static unsigned int xbng_max_domain_kb;
module_param_named(max_domain_kb, xbng_max_domain_kb, uint, 0644);
MODULE_PARM_DESC(max_domain_kb,
		 "dom0 memory all devices of one guest may hold (KiB, 0 = no limit; default 0)");

static LIST_HEAD(domains);
static DEFINE_MUTEX(domains_lock);

unsigned long xbng_domain_budget(void)
{
	return (unsigned long)READ_ONCE(xbng_max_domain_kb) * 1024;
}

struct xbng_domain *xbng_domain_get(domid_t domid)
{
	struct xbng_domain *dom;

	mutex_lock(&domains_lock);
	list_for_each_entry(dom, &domains, node) {
		if (dom->domid == domid) {
			dom->devices++;
			goto out;
		}
	}
	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (dom) {
		dom->domid = domid;
		dom->devices = 1;
		list_add_tail(&dom->node, &domains);
	}
out:
	mutex_unlock(&domains_lock);
	return dom;
}

void xbng_domain_put(struct xbng_domain *dom)
{
	mutex_lock(&domains_lock);
	if (!--dom->devices) {
		list_del(&dom->node);
		kfree(dom);
	}
	mutex_unlock(&domains_lock);
}

bool xbng_domain_charge(struct xbng_domain *dom, size_t bytes)
{
	unsigned long budget = xbng_domain_budget();
	long used = atomic_long_read(&dom->used);

	do {
		if (!xbng_budget_allows(used, bytes, budget)) {
			atomic64_inc(&dom->refused);
			trace_xbng_budget_refused(dom->domid, bytes, used,
						  budget);
			return false;
		}
	} while (!atomic_long_try_cmpxchg(&dom->used, &used, used + bytes));

	xbng_raise_high_water(&dom->high_water, used + bytes);
	return true;
}

void xbng_domain_uncharge(struct xbng_domain *dom, size_t bytes)
{
	atomic_long_sub(bytes, &dom->used);
}

void xbng_domain_show(struct seq_file *m)
{
	struct xbng_domain *dom;

	mutex_lock(&domains_lock);
	list_for_each_entry(dom, &domains, node)
		seq_printf(m, "%u %u %lu %lu %lu %lld\n", dom->domid,
			   dom->devices, atomic_long_read(&dom->used) / 1024,
			   atomic_long_read(&dom->high_water) / 1024,
			   xbng_domain_budget() / 1024,
			   atomic64_read(&dom->refused));
	mutex_unlock(&domains_lock);
}

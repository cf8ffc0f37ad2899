// SPDX-License-Identifier: GPL-2.0
/*
 * xen-blkback-ng: a Xen PV block backend (blkif) for dom0 with pluggable
 * page-pool policies; a drop-in replacement for the in-tree xen-blkback.
 *
 * Module entry points and the stock driver's parameters, under the stock
 * names and defaults so that existing "options" lines keep working.  The
 * pool's own parameters live with the pool (pool/pool.c).
 */
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/stringify.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "common.h"

/*
 * modinfo shows every parameter with its unit and its default; the
 * defaults are written once, here, for both.
 */
#define DEF_MAX_PGRANTS		1056
#define DEF_PGRANT_UNUSED_S	60

unsigned int xbng_max_persistent_grants = DEF_MAX_PGRANTS;
module_param_named(max_persistent_grants, xbng_max_persistent_grants, uint,
		   0644);
MODULE_PARM_DESC(max_persistent_grants,
		 "Persistently mapped grants per ring, the least recently used unmapped beyond (grants; default "
		 __stringify(DEF_MAX_PGRANTS) ")");

unsigned int xbng_pgrant_unused_seconds = DEF_PGRANT_UNUSED_S;
module_param_named(persistent_grant_unused_seconds,
		   xbng_pgrant_unused_seconds, uint, 0644);
MODULE_PARM_DESC(persistent_grant_unused_seconds,
		 "Unmap a persistent grant unused this long (seconds, 0 = never; default "
		 __stringify(DEF_PGRANT_UNUSED_S) ")");

unsigned int xbng_max_queues;
module_param_named(max_queues, xbng_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Rings per device a frontend may use (rings; default 0 = as many as dom0 has online CPUs at load)");

unsigned int xbng_max_ring_order = XENBUS_MAX_RING_GRANT_ORDER;
module_param_named(max_ring_page_order, xbng_max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest ring a frontend may use, 2^order pages (order; default and most "
		 __stringify(XENBUS_MAX_RING_GRANT_ORDER) ")");

bool xbng_log_stats;
module_param_named(log_stats, xbng_log_stats, bool, 0644);
MODULE_PARM_DESC(log_stats,
		 "Log per-ring counters every 10 seconds (bool; default N)");

bool xbng_feature_persistent = true;
module_param_named(feature_persistent, xbng_feature_persistent, bool, 0644);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants to frontends connecting from now on (bool; default Y)");

static int __init xbng_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;

	if (xbng_max_ring_order > XENBUS_MAX_RING_GRANT_ORDER) {
		pr_info(DRV_NAME ": max_ring_page_order %u too large, using %u\n",
			xbng_max_ring_order, XENBUS_MAX_RING_GRANT_ORDER);
		xbng_max_ring_order = XENBUS_MAX_RING_GRANT_ORDER;
	}
	if (!xbng_max_queues)
		xbng_max_queues = num_online_cpus();

	err = xbng_pool_module_init();
	if (err)
		return err;
	err = xbng_sysfs_init();
	if (err)
		goto fail_pool;
	xbng_debugfs_init();
	err = xbng_xenbus_init();
	if (err)
		goto fail_debugfs;
	pr_info(DRV_NAME ": serving vbd devices, pool policy %s\n",
		xbng_pool_policy()->name);
	return 0;

fail_debugfs:
	xbng_debugfs_exit();
	xbng_sysfs_exit();
fail_pool:
	xbng_pool_module_exit();
	return err;
}
module_init(xbng_init);

static void __exit xbng_exit(void)
{
	/* Connected devices hold a module reference: none is left here. */
	xbng_xenbus_exit();
	xbng_debugfs_exit();
	xbng_sysfs_exit();
	xbng_pool_module_exit();
}
module_exit(xbng_exit);

MODULE_DESCRIPTION("Xen PV block backend with pluggable page-pool policies");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen-backend:vbd");
#ifdef XBNG_VERSION
MODULE_VERSION(XBNG_VERSION);
#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs, for crash reports and bpftrace users; not an ABI (sysfs has the
 * stable counters):
 *
 *   xen-blkback-ng/domains                 every guest's budget account
 *   xen-blkback-ng/vbd-D-H/features        what the frontend negotiated
 *   xen-blkback-ng/vbd-D-H/queue-N/ring    indexes, requests, pools, events
 *
 * The files take no lock of the device: a reader may find a ring in
 * teardown, and xenwatch holds the device's locks while it tears down.
 * debugfs_remove() waits for a reader in progress, and a ring's folder is
 * removed before the ring is freed, the device's before the device; what
 * a reader sees is a snapshot of values that may be changing.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <xen/interface/io/blkif.h>

#include "common.h"

static struct dentry *xbng_debugfs_root;

static int domains_show(struct seq_file *m, void *v)
{
	seq_puts(m, "domid devices used_kb high_water_kb budget_kb refused\n");
	xbng_domain_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(domains);

static int features_show(struct seq_file *m, void *v)
{
	struct xbng_dev *dev = m->private;
	const struct xbng_limits *lim = &dev->lim;

	seq_printf(m, "connected %d\n", READ_ONCE(dev->connected));
	seq_printf(m, "abi %s\n", dev->abi == XBNG_ABI_X86_32 ? "x86_32" :
		   dev->abi == XBNG_ABI_X86_64 ? "x86_64" : "native");
	seq_printf(m, "queues %u\n", dev->layout.nr_queues);
	seq_printf(m, "ring_pages %u\n", dev->layout.nr_pages);
	seq_printf(m, "persistent %d\n", dev->persistent);
	seq_printf(m, "max_indirect_segs %u\n", lim->max_indirect_segs);
	seq_printf(m, "sectors %llu\n", lim->dev_sectors);
	seq_printf(m, "logical_block_size %u\n", lim->logical_block_size);
	seq_printf(m, "readonly %d\n", lim->readonly);
	seq_printf(m, "flush %d\n", lim->flush);
	seq_printf(m, "barrier %d\n", lim->barrier);
	seq_printf(m, "discard %d\n", lim->discard);
	seq_printf(m, "secure_discard %d\n", lim->secure_discard);
	seq_printf(m, "policy %s\n", (READ_ONCE(dev->policy) ?:
				      xbng_pool_policy())->name);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(features);

static int ring_show(struct seq_file *m, void *v)
{
	struct xbng_ring *ring = m->private;
	const struct blkif_sring *sr = ring->sring;
	const struct xbng_ring_stats *s = &ring->stats;

	seq_printf(m, "slots %u\n", ring->nr_slots);
	seq_printf(m, "req_prod %u\n", READ_ONCE(sr->req_prod));
	seq_printf(m, "req_event %u\n", READ_ONCE(sr->req_event));
	seq_printf(m, "req_cons %u\n", READ_ONCE(ring->req_cons));
	seq_printf(m, "rsp_prod %u\n", READ_ONCE(sr->rsp_prod));
	seq_printf(m, "rsp_prod_pvt %u\n", READ_ONCE(ring->rsp_prod_pvt));
	seq_printf(m, "rsp_event %u\n", READ_ONCE(sr->rsp_event));
	seq_printf(m, "inflight %u\n", READ_ONCE(ring->inflight));
	seq_printf(m, "held %u\n", READ_ONCE(ring->nr_held));
	seq_printf(m, "parked %d\n", !!READ_ONCE(ring->parked));
	seq_printf(m, "broken %d\n", READ_ONCE(ring->broken));
	seq_printf(m, "stopping %d\n", READ_ONCE(ring->stopping));
	seq_printf(m, "desc %u\n", READ_ONCE(ring->nr_pending));
	seq_printf(m, "desc_in_use %lu\n", READ_ONCE(ring->desc_meter.in_use));
	seq_printf(m, "desc_floor %u\n", READ_ONCE(ring->floor_descs));
	seq_printf(m, "pgrants %u\n", READ_ONCE(ring->nr_pgrants));
	seq_printf(m, "pgrants_in_use %lu\n",
		   READ_ONCE(ring->pgrant_meter.in_use));
	seq_printf(m, "pages_free %lu\n", READ_ONCE(ring->pool.free));
	seq_printf(m, "pages_owned %lu\n", READ_ONCE(ring->pool.owned));
	seq_printf(m, "events_in %llu\n", READ_ONCE(s->events_in));
	seq_printf(m, "events_out %llu\n", READ_ONCE(s->events_out));
	seq_printf(m, "map_ops %llu\n", READ_ONCE(s->map_ops));
	seq_printf(m, "unmap_ops %llu\n", READ_ONCE(s->unmap_ops));
	seq_printf(m, "indirect_req %llu\n", READ_ONCE(s->indirect_req));
	seq_printf(m, "pgrant_evicted %llu\n", READ_ONCE(s->pgrant_evicted));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ring);

void xbng_debugfs_dev_add(struct xbng_dev *dev)
{
	if (!xbng_debugfs_root)
		return;
	dev->debugfs = debugfs_create_dir(dev->name, xbng_debugfs_root);
	debugfs_create_file("features", 0444, dev->debugfs, dev,
			    &features_fops);
}

void xbng_debugfs_dev_del(struct xbng_dev *dev)
{
	debugfs_remove(dev->debugfs);
	dev->debugfs = NULL;
}

void xbng_debugfs_ring_add(struct xbng_ring *ring)
{
	char name[16];

	if (IS_ERR_OR_NULL(ring->dev->debugfs))
		return;
	snprintf(name, sizeof(name), "queue-%u", ring->index);
	ring->debugfs = debugfs_create_dir(name, ring->dev->debugfs);
	debugfs_create_file("ring", 0444, ring->debugfs, ring, &ring_fops);
}

void xbng_debugfs_ring_del(struct xbng_ring *ring)
{
	debugfs_remove(ring->debugfs);
	ring->debugfs = NULL;
}

void xbng_debugfs_init(void)
{
	xbng_debugfs_root = debugfs_create_dir(DRV_NAME, NULL);
	debugfs_create_file("domains", 0444, xbng_debugfs_root, NULL,
			    &domains_fops);
}

void xbng_debugfs_exit(void)
{
	debugfs_remove(xbng_debugfs_root);
	xbng_debugfs_root = NULL;
}

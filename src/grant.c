// SPDX-License-Identifier: GPL-2.0
/*
 * Grant mapping: batched map and unmap hypercalls, and persistent grants.
 *
 * Only the ring's thread calls into this file, so the persistent-grant tree
 * and the scratch arrays in struct xbng_ring need no lock.
 *
 * Failures here are the frontend's (bad, revoked or read-only grants) or
 * Xen's; either way they fail the one request.  A page whose unmap failed may
 * still show guest memory, so it is never reused: it is leaked, loudly.
 *
 * No page is unmapped while storage still holds it (xbng_page_held()): the
 * ring keeps such a request unanswered (ring.c), and a persistent grant
 * stays mapped, until the last reference is gone.
 */
#include <linux/delay.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "common.h"
#include "trace/xbng_events.h"

/* A persistent grant taken for a request; @fresh: newly mapped. */
static void trace_pgrant_take(struct xbng_ring *ring, bool fresh)
{
	trace_xbng_pool_take(ring->dev->domid, ring->dev->handle, ring->index,
			     XBNG_TRACE_POOL_PGRANT, 1,
			     fresh ? sizeof(struct xbng_pgrant) : 0);
}

static struct xbng_pgrant *pgrant_find(struct xbng_ring *ring,
				       grant_ref_t gref)
{
	struct rb_node *n = ring->pgrants.rb_node;

	while (n) {
		struct xbng_pgrant *pg = rb_entry(n, struct xbng_pgrant, node);

		if (gref < pg->gref)
			n = n->rb_left;
		else if (gref > pg->gref)
			n = n->rb_right;
		else
			return pg;
	}
	return NULL;
}

static bool pgrant_insert(struct xbng_ring *ring, struct xbng_pgrant *new)
{
	struct rb_node **link = &ring->pgrants.rb_node, *parent = NULL;

	while (*link) {
		struct xbng_pgrant *pg = rb_entry(*link, struct xbng_pgrant,
						  node);

		parent = *link;
		if (new->gref < pg->gref)
			link = &(*link)->rb_left;
		else if (new->gref > pg->gref)
			link = &(*link)->rb_right;
		else
			return false;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &ring->pgrants);
	list_add_tail(&new->lru, &ring->pgrant_lru);
	ring->nr_pgrants++;
	WRITE_ONCE(ring->stats.pgrants, ring->nr_pgrants);
	return true;
}

static unsigned long page_vaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/* Unmap what is queued; pages that came back cleanly return to the pool. */
void xbng_unmap_flush(struct xbng_ring *ring)
{
	unsigned int i, keep = 0, n = ring->nr_unmap_queued;
	int ret;

	if (!n)
		return;
	ring->nr_unmap_queued = 0;
	ret = gnttab_unmap_refs(ring->unmap_ops, NULL, ring->unmap_pages, n);
	ring->stats.unmap_calls++;
	ring->stats.unmap_ops += n;
	for (i = 0; i < n; i++) {
		/* The callers wait for storage to let go: never here. */
		WARN_ONCE(xbng_page_held(ring->unmap_pages[i]),
			  DRV_NAME ": unmapped a page still in use (count %d)\n",
			  page_count(ring->unmap_pages[i]));
		if (ret || ring->unmap_ops[i].status != GNTST_okay) {
			xbng_warn(ring->dev,
				  "grant unmap failed (%d/%d), page leaked\n",
				  ret, ring->unmap_ops[i].status);
			continue;
		}
		ring->unmap_pages[keep++] = ring->unmap_pages[i];
	}
	trace_xbng_grant_unmap(ring, n, n - keep);
	xbng_pool_put(&ring->pool, ring->unmap_pages, keep);
}

static void queue_unmap(struct xbng_ring *ring, struct page *page,
			grant_handle_t handle)
{
	unsigned int n = ring->nr_unmap_queued;

	gnttab_set_unmap_op(&ring->unmap_ops[n], page_vaddr(page),
			    GNTMAP_host_map, handle);
	ring->unmap_pages[n] = page;
	ring->nr_unmap_queued = n + 1;
	if (ring->nr_unmap_queued == XBNG_MAP_BATCH)
		xbng_unmap_flush(ring);
}

/* Keep a fresh mapping as a persistent grant, if there is room. */
static bool pgrant_adopt(struct xbng_ring *ring, struct xbng_seg_map *m)
{
	struct xbng_pgrant *pg;

	if (ring->nr_pgrants >= READ_ONCE(xbng_max_persistent_grants))
		return false;
	if (!xbng_domain_charge(ring->dev->domain, sizeof(*pg)))
		return false;
	pg = kmalloc(sizeof(*pg), GFP_NOIO);
	if (!pg) {
		xbng_domain_uncharge(ring->dev->domain, sizeof(*pg));
		return false;
	}
	pg->gref = m->gref;
	pg->page = m->page;
	pg->handle = m->handle;
	pg->in_use = true;
	pg->held = false;
	pg->last_used = jiffies;
	if (!pgrant_insert(ring, pg)) {
		kfree(pg);
		xbng_domain_uncharge(ring->dev->domain, sizeof(*pg));
		return false;
	}
	xbng_meter_take(&ring->pgrant_meter, 1);
	m->pgrant = pg;
	m->handle = XBNG_INVALID_HANDLE;
	XBNG_POOL_COUNT(&ring->dev->pool_stats, pgrant, 1, sizeof(*pg));
	trace_pgrant_take(ring, true);
	return true;
}

/*
 * Map the batch collected in ring->batch_maps.  Returns how many of the
 * mappings stay the request's own (not adopted as persistent grants), or
 * -EIO on any error.
 */
static int map_batch(struct xbng_ring *ring, unsigned int n, bool readonly)
{
	struct xbng_dev *dev = ring->dev;
	u32 flags = GNTMAP_host_map;
	unsigned int i, failed = 0;
	int ret, err = 0, owned = 0;

	if (!n)
		return 0;
	ret = xbng_pool_get(&ring->pool, ring->batch_pages, n);
	if (ret == -EDQUOT && ring->nr_pgrants) {
		/*
		 * The guest's budget is spent: idle persistent grants, a
		 * cache, give their pages to the request in hand.
		 */
		xbng_pgrant_purge(ring, n, 0);
		ret = xbng_pool_get(&ring->pool, ring->batch_pages, n);
	}
	if (ret)
		return -ENOMEM;

	/* A persistent grant may later serve a read: map it writable. */
	if (readonly && !dev->persistent)
		flags |= GNTMAP_readonly;
	for (i = 0; i < n; i++) {
		gnttab_set_map_op(&ring->map_ops[i],
				  page_vaddr(ring->batch_pages[i]), flags,
				  ring->batch_maps[i]->gref, dev->domid);
		/* Anything the hypercall did not reach stays failed. */
		ring->map_ops[i].status = GNTST_general_error;
		ring->map_ops[i].handle = XBNG_INVALID_HANDLE;
	}
	ret = gnttab_map_refs(ring->map_ops, NULL, ring->batch_pages, n);
	ring->stats.map_calls++;
	ring->stats.map_ops += n;

	for (i = 0; i < n; i++) {
		struct xbng_seg_map *m = ring->batch_maps[i];
		struct gnttab_map_grant_ref *op = &ring->map_ops[i];

		if (op->status != GNTST_okay) {
			xbng_warn(dev, "ring %u: cannot map grant %u (%d/%d)\n",
				  ring->index, m->gref, ret, op->status);
			xbng_pool_put(&ring->pool, &ring->batch_pages[i], 1);
			err = -EIO;
			failed++;
			continue;
		}
		/* Mapped, even if the call as a whole failed: unmap later. */
		m->page = ring->batch_pages[i];
		m->handle = op->handle;
		if (ret)
			err = -EIO;
		else if (!dev->persistent || !pgrant_adopt(ring, m))
			owned++;
	}
	trace_xbng_grant_map(ring, n, failed);
	return err ?: owned;
}

int xbng_map_segs(struct xbng_ring *ring, struct xbng_seg_map *maps,
		  unsigned int n, bool readonly)
{
	bool persistent = ring->dev->persistent;
	unsigned int i, nb = 0;
	int got, owned = 0;

	/* On failure the caller unmaps all @n: make every entry valid first. */
	for (i = 0; i < n; i++) {
		maps[i].page = NULL;
		maps[i].pgrant = NULL;
		maps[i].handle = XBNG_INVALID_HANDLE;
	}

	for (i = 0; i < n; i++) {
		struct xbng_seg_map *m = &maps[i];
		struct xbng_pgrant *pg;

		pg = persistent ? pgrant_find(ring, m->gref) : NULL;
		/* A grant used twice at once is mapped a second time. */
		if (pg && !pg->in_use) {
			pg->in_use = true;
			pg->held = false;
			xbng_meter_take(&ring->pgrant_meter, 1);
			pg->last_used = jiffies;
			list_move_tail(&pg->lru, &ring->pgrant_lru);
			m->pgrant = pg;
			m->page = pg->page;
			trace_pgrant_take(ring, false);
			continue;
		}
		ring->batch_maps[nb++] = m;
		if (nb == XBNG_MAP_BATCH) {
			got = map_batch(ring, nb, readonly);
			nb = 0;
			if (got < 0)
				return got;
			owned += got;
		}
	}
	got = map_batch(ring, nb, readonly);
	return got < 0 ? got : owned + got;
}

void xbng_unmap_segs_queue(struct xbng_ring *ring, struct xbng_seg_map *maps,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xbng_seg_map *m = &maps[i];

		if (m->pgrant) {
			m->pgrant->in_use = false;
			xbng_meter_return(&ring->pgrant_meter, 1);
			m->pgrant->last_used = jiffies;
			list_move_tail(&m->pgrant->lru, &ring->pgrant_lru);
		} else if (m->page) {
			queue_unmap(ring, m->page, m->handle);
		}
		m->pgrant = NULL;
		m->page = NULL;
		m->handle = XBNG_INVALID_HANDLE;
	}
}

bool xbng_pgrant_over_cap(struct xbng_ring *ring)
{
	return ring->nr_pgrants >= READ_ONCE(xbng_max_persistent_grants);
}

/*
 * Unmap persistent grants not in use: up to @drop of the least recently
 * used among those unused for @min_idle jiffies (what the policy wants
 * gone; ULONG_MAX and 0 for all), those unused for
 * persistent_grant_unused_seconds, and while at the cap the least recently
 * used 5% so that new grants can persist.  A grant whose page storage still
 * holds stays for a later purge.
 */
void xbng_pgrant_purge(struct xbng_ring *ring, unsigned long drop,
		       unsigned long min_idle)
{
	unsigned long unused = READ_ONCE(xbng_pgrant_unused_seconds) * HZ;
	unsigned int cap = READ_ONCE(xbng_max_persistent_grants);
	struct xbng_pgrant *pg, *tmp;
	unsigned long over_cap = 0;
	unsigned int items = 0;

	if (ring->nr_pgrants >= cap)
		over_cap = ring->nr_pgrants - cap + cap / 20 + 1;

	list_for_each_entry_safe(pg, tmp, &ring->pgrant_lru, lru) {
		bool stale = unused && time_after(jiffies,
						  pg->last_used + unused);
		bool dropped = drop && (!min_idle ||
					time_after(jiffies,
						   pg->last_used + min_idle));

		/* Oldest first: the rest were used more recently. */
		if (!over_cap && !stale && !dropped)
			break;
		if (pg->in_use)
			continue;
		if (xbng_page_held(pg->page)) {
			if (!pg->held)
				ring->stats.unmap_deferred++;
			pg->held = true;
			continue;
		}
		rb_erase(&pg->node, &ring->pgrants);
		list_del(&pg->lru);
		ring->nr_pgrants--;
		WRITE_ONCE(ring->stats.pgrants, ring->nr_pgrants);
		if (over_cap) {
			over_cap--;
			ring->stats.pgrant_evicted++;
		}
		if (drop)
			drop--;
		queue_unmap(ring, pg->page, pg->handle);
		kfree(pg);
		xbng_domain_uncharge(ring->dev->domain, sizeof(*pg));
		XBNG_POOL_COUNT(&ring->dev->pool_stats, pgrant, -1,
				-(long)sizeof(*pg));
		items++;
	}
	xbng_unmap_flush(ring);
	if (items)
		trace_xbng_pool_release(ring->dev->domid, ring->dev->handle,
					ring->index, XBNG_TRACE_POOL_PGRANT,
					items, items * sizeof(*pg));
}

/*
 * Unmap every persistent grant, once storage has let go of their pages: the
 * ring is going away and nothing is in flight.  Storage that never lets go
 * keeps the ring here, as the kernel's own synchronous unmap would.
 */
void xbng_pgrant_purge_all(struct xbng_ring *ring)
{
	unsigned long warn_at = jiffies + 30 * HZ;

	for (;;) {
		xbng_pgrant_purge(ring, ULONG_MAX, 0);
		if (!ring->nr_pgrants)
			return;
		if (time_after(jiffies, warn_at)) {
			xbng_warn(ring->dev,
				  "ring %u: %u persistent grants still in use by storage\n",
				  ring->index, ring->nr_pgrants);
			warn_at = jiffies + 30 * HZ;
		}
		msleep(jiffies_to_msecs(XBNG_HELD_POLL));
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The shared ring: attaching to the frontend's pages, the per-ring thread,
 * request intake (copy once, decode, validate, dispatch), responses, and
 * late EOI on the event channel.
 *
 * Ring slots are addressed by hand instead of through the DEFINE_RING_TYPES
 * macros because a 64-bit dom0 must serve 32-bit guests too, whose slots
 * have another size and layout; src/core/request.c knows both layouts.
 */
#include <linux/freezer.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/interface/io/blkif.h>

#include "common.h"
#include "trace/xbng_events.h"

/* The core decodes the wire format by hand: hold it to the kernel's header. */
static_assert(XBNG_OP_READ == BLKIF_OP_READ);
static_assert(XBNG_OP_WRITE == BLKIF_OP_WRITE);
static_assert(XBNG_OP_WRITE_BARRIER == BLKIF_OP_WRITE_BARRIER);
static_assert(XBNG_OP_FLUSH_DISKCACHE == BLKIF_OP_FLUSH_DISKCACHE);
static_assert(XBNG_OP_DISCARD == BLKIF_OP_DISCARD);
static_assert(XBNG_OP_INDIRECT == BLKIF_OP_INDIRECT);
static_assert(XBNG_RSP_OKAY == BLKIF_RSP_OKAY);
static_assert(XBNG_RSP_ERROR == BLKIF_RSP_ERROR);
static_assert(XBNG_RSP_EOPNOTSUPP == BLKIF_RSP_EOPNOTSUPP);
static_assert(XBNG_DISCARD_SECURE == BLKIF_DISCARD_SECURE);
static_assert(XBNG_MAX_DIRECT_SEGS == BLKIF_MAX_SEGMENTS_PER_REQUEST);
static_assert(XBNG_MAX_INDIRECT_PAGES == BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
static_assert(sizeof(struct blkif_request_segment) == XBNG_SEG_WIRE_SIZE);
static_assert(offsetof(struct blkif_sring, ring) == XBNG_SRING_HDR_SIZE);
static_assert(XBNG_PAGE_SIZE == XEN_PAGE_SIZE);
/* Sparse before 0.6.3 (Debian 11's) ignores __packed__: compilers only. */
#if defined(CONFIG_X86_64) && !defined(__CHECKER__)
static_assert(sizeof(union blkif_sring_entry) == XBNG_SLOT_SIZE_X86_64);
static_assert(sizeof(struct blkif_response) == XBNG_RSP_SIZE_X86_64);
static_assert(offsetof(struct blkif_request, u.rw.id) == 8);
static_assert(offsetof(struct blkif_request, u.rw.sector_number) == 16);
static_assert(offsetof(struct blkif_request, u.rw.seg) == 24);
static_assert(offsetof(struct blkif_request, u.discard.nr_sectors) == 24);
static_assert(offsetof(struct blkif_request, u.indirect.nr_segments) == 2);
static_assert(offsetof(struct blkif_request, u.indirect.handle) == 24);
static_assert(offsetof(struct blkif_request, u.indirect.indirect_grefs) == 28);
#endif

static struct blkif_sring *ring_hdr(struct xbng_ring *ring)
{
	return ring->sring;
}

static void *ring_slot(struct xbng_ring *ring, RING_IDX idx)
{
	return (u8 *)ring->sring + XBNG_SRING_HDR_SIZE +
	       (size_t)(idx & (ring->nr_slots - 1)) * ring->slot_size;
}

void xbng_ring_kick(struct xbng_ring *ring)
{
	WRITE_ONCE(ring->waiting_reqs, true);
	wake_up(&ring->wq);
}

static irqreturn_t ring_interrupt(int irq, void *data)
{
	struct xbng_ring *ring = data;

	/* The channel stays masked until the thread sends the late EOI. */
	ring->stats.events_in++;
	WRITE_ONCE(ring->irq_pending, true);
	xbng_ring_kick(ring);
	return IRQ_HANDLED;
}

/* --- request descriptors --- */

/* Neither a descriptor nor a chunk of segment maps exceeds one page. */
static_assert(sizeof(struct xbng_pending) <= PAGE_SIZE);
static_assert(XBNG_SEGS_PER_CHUNK * sizeof(struct xbng_seg_map) <= PAGE_SIZE);
static_assert(XBNG_SEG_CHUNKS * XBNG_SEGS_PER_CHUNK >= XBNG_MAX_INDIRECT_SEGS);

static size_t pending_bytes(const struct xbng_pending *req)
{
	return sizeof(*req) + req->indirect_cap * sizeof(struct xbng_seg_map);
}

/* Segment maps chunk @k holds when @cap are reserved in all. */
static unsigned int chunk_len(unsigned int cap, unsigned int k)
{
	unsigned int first = k * XBNG_SEGS_PER_CHUNK;

	if (cap <= first)
		return 0;
	return min_t(unsigned int, cap - first, XBNG_SEGS_PER_CHUNK);
}

static void pending_free_chunks(struct xbng_seg_map **chunk)
{
	unsigned int k;

	for (k = 0; k < XBNG_SEG_CHUNKS; k++) {
		kfree(chunk[k]);
		chunk[k] = NULL;
	}
}

/* A free descriptor, or a new one if the ring and the budget allow. */
static struct xbng_pending *pending_take(struct xbng_ring *ring)
{
	struct xbng_pending *req;
	size_t charge;

	req = list_first_entry_or_null(&ring->free_pending,
				       struct xbng_pending, node);
	if (req) {
		list_del(&req->node);
		xbng_meter_take(&ring->desc_meter, 1);
		trace_xbng_pool_take(ring->dev->domid, ring->dev->handle,
				     ring->index, XBNG_TRACE_POOL_DESC, 1, 0);
		return req;
	}
	/* One descriptor per ring slot is all a correct frontend can use. */
	if (ring->nr_pending >= ring->nr_slots)
		return NULL;
	/* Beyond the floor, the guest's budget pays; at the budget, wait. */
	charge = ring->floor_descs < XBNG_FLOOR_REQS ? 0 : XBNG_DESC_CHARGE;
	if (charge && !xbng_domain_charge(ring->dev->domain, charge))
		return NULL;
	req = kzalloc(sizeof(*req), GFP_NOIO);
	if (!req) {
		xbng_domain_uncharge(ring->dev->domain, charge);
		return NULL;
	}
	req->ring = ring;
	req->charged = charge;
	if (!charge)
		ring->floor_descs++;
	ring->nr_pending++;
	xbng_meter_take(&ring->desc_meter, 1);
	XBNG_POOL_COUNT(&ring->dev->pool_stats, desc, 1, pending_bytes(req));
	trace_xbng_pool_take(ring->dev->domid, ring->dev->handle, ring->index,
			     XBNG_TRACE_POOL_DESC, 1, pending_bytes(req));
	return req;
}

/* Most recently used first: the next request reuses a warm descriptor. */
static void pending_put(struct xbng_ring *ring, struct xbng_pending *req)
{
	list_add(&req->node, &ring->free_pending);
	xbng_meter_return(&ring->desc_meter, 1);
}

/* Release up to @n free descriptors, least recently used first. */
static void pending_release(struct xbng_ring *ring, unsigned long n)
{
	struct xbng_pending *req, *tmp;
	unsigned int items = 0;
	u64 bytes = 0;

	list_for_each_entry_safe_reverse(req, tmp, &ring->free_pending, node) {
		if (!n--)
			break;
		items++;
		bytes += pending_bytes(req);
		XBNG_POOL_COUNT(&ring->dev->pool_stats, desc, -1,
				-(long)pending_bytes(req));
		list_del(&req->node);
		xbng_domain_uncharge(ring->dev->domain, req->charged);
		if (!req->charged)
			ring->floor_descs--;
		pending_free_chunks(req->chunk);
		kfree(req);
		ring->nr_pending--;
	}
	if (items)
		trace_xbng_pool_release(ring->dev->domid, ring->dev->handle,
					ring->index, XBNG_TRACE_POOL_DESC,
					items, bytes);
}

/*
 * Room for @nr_segs indirect segments.  Frontends use far fewer than the
 * 256 we advertise (Linux: 32 by default), so size to what is used, in
 * powers of two to bound the number of reallocations; each chunk is one
 * kmalloc of at most a page.  The descriptor is not in flight, so the old
 * maps need not be kept.
 */
static bool pending_reserve_segs(struct xbng_ring *ring,
				 struct xbng_pending *req, unsigned int nr_segs)
{
	struct xbng_seg_map *chunk[XBNG_SEG_CHUNKS] = {};
	unsigned int cap, k;
	size_t grow;
	long old_bytes;

	if (nr_segs <= req->indirect_cap)
		return true;
	if (nr_segs > XBNG_MAX_INDIRECT_SEGS)
		return false;
	cap = max_t(unsigned int, roundup_pow_of_two(nr_segs),
		    XBNG_MAX_DIRECT_SEGS + 1);
	/* A floor descriptor's array is paid for by the ring's floor. */
	grow = (cap - req->indirect_cap) * XBNG_SEG_CHARGE;
	if (req->charged && !xbng_domain_charge(ring->dev->domain, grow))
		return false;
	/* Chunks that keep their length are kept; all or nothing. */
	for (k = 0; k < XBNG_SEG_CHUNKS; k++) {
		unsigned int len = chunk_len(cap, k);

		if (len == chunk_len(req->indirect_cap, k))
			continue;
		chunk[k] = kmalloc_array(len, sizeof(*chunk[k]), GFP_NOIO);
		if (!chunk[k]) {
			pending_free_chunks(chunk);
			if (req->charged)
				xbng_domain_uncharge(ring->dev->domain, grow);
			return false;
		}
	}
	for (k = 0; k < XBNG_SEG_CHUNKS; k++) {
		if (!chunk[k])
			continue;
		kfree(req->chunk[k]);
		req->chunk[k] = chunk[k];
	}
	if (req->charged)
		req->charged += grow;
	old_bytes = pending_bytes(req);
	req->indirect_cap = cap;
	XBNG_POOL_COUNT(&ring->dev->pool_stats, desc, 0,
			(long)pending_bytes(req) - old_bytes);
	return true;
}

/*
 * @req is charged and cannot grow within the budget.  The ring's floor,
 * paid for at connect, covers XBNG_FLOOR_REQS descriptors of any size: serve
 * the request with one of them, so that a ring at its budget still keeps
 * that many requests in flight.  Returns the descriptor to use (@req itself
 * if it becomes a floor descriptor), or NULL, @req put back, while every
 * floor descriptor is in flight: their completions wake the thread.
 */
static struct xbng_pending *pending_floor(struct xbng_ring *ring,
					  struct xbng_pending *req)
{
	struct xbng_pending *floor;

	if (ring->floor_descs < XBNG_FLOOR_REQS) {
		/* A floor descriptor went idle and was released. */
		xbng_domain_uncharge(ring->dev->domain, req->charged);
		req->charged = 0;
		ring->floor_descs++;
		return req;
	}
	list_for_each_entry(floor, &ring->free_pending, node) {
		if (floor->charged)
			continue;
		list_del(&floor->node);
		xbng_meter_take(&ring->desc_meter, 1);
		pending_put(ring, req);
		return floor;
	}
	pending_put(ring, req);
	return NULL;
}

/*
 * A descriptor with room for @nr_segs indirect segments (0: a direct
 * request), or NULL: the ring waits for a completion.
 */
static struct xbng_pending *pending_get(struct xbng_ring *ring,
					unsigned int nr_segs)
{
	struct xbng_pending *req = pending_take(ring);

	if (!req || pending_reserve_segs(ring, req, nr_segs))
		return req;
	if (!req->charged) {
		/* Out of memory: try again after a completion or the tick. */
		pending_put(ring, req);
		return NULL;
	}
	/* The budget cannot pay for the growth: fall back on the floor. */
	req = pending_floor(ring, req);
	if (!req || pending_reserve_segs(ring, req, nr_segs))
		return req;
	pending_put(ring, req);
	return NULL;
}

/*
 * The @n segment maps of @req from @i on that are consecutive in memory:
 * returns the first, *@len how many.
 */
static struct xbng_seg_map *req_run(struct xbng_pending *req, unsigned int i,
				    unsigned int n, unsigned int *len)
{
	unsigned int off = i % XBNG_SEGS_PER_CHUNK;

	if (!req->indirect) {
		*len = n - i;
		return &req->direct_segs[i];
	}
	*len = min_t(unsigned int, n - i, XBNG_SEGS_PER_CHUNK - off);
	return &req->chunk[i / XBNG_SEGS_PER_CHUNK][off];
}

/*
 * Map the first @n segments of @req; on failure the caller unmaps them all.
 * Returns as xbng_map_segs() does, for the whole request.
 * (req_run() is called on its own line: it sets len, and the order in which
 * a call's arguments are evaluated is unspecified.)
 */
static int req_map(struct xbng_ring *ring, struct xbng_pending *req,
		   unsigned int n, bool readonly)
{
	struct xbng_seg_map *run;
	unsigned int i, len;
	int got, owned = 0;

	for (i = 0; i < n; i += len) {
		run = req_run(req, i, n, &len);
		got = xbng_map_segs(ring, run, len, readonly);
		if (got < 0)
			return got;
		owned += got;
	}
	return owned;
}

/* Queue the unmapping of the first @n segments: see xbng_unmap_flush(). */
static void req_unmap(struct xbng_ring *ring, struct xbng_pending *req,
		      unsigned int n)
{
	struct xbng_seg_map *run;
	unsigned int i, len;

	for (i = 0; i < n; i += len) {
		run = req_run(req, i, n, &len);
		xbng_unmap_segs_queue(ring, run, len);
	}
}

/* Pressure emptied our page pool: release the other idle pools too. */
static void ring_on_pressure(struct xbng_pool *pool)
{
	struct xbng_ring *ring = container_of(pool, struct xbng_ring, pool);

	WRITE_ONCE(ring->pressure_pending, true);
	wake_up(&ring->wq);
}

/* --- responses --- */

/* Both under done_lock. */
static void __ring_respond(struct xbng_ring *ring, struct xbng_pending *req,
			   s16 status)
{
	xbng_rsp_encode(ring->dev->abi, ring_slot(ring, ring->rsp_prod_pvt),
			req->id, req->operation, status);
	WRITE_ONCE(ring->rsp_prod_pvt, ring->rsp_prod_pvt + 1);
	if (trace_xbng_response_enabled())
		trace_xbng_response(ring, req, status, req->start_ns ?
				    ktime_get_ns() - req->start_ns : 0);
}

static void __ring_push(struct xbng_ring *ring)
{
	struct blkif_sring *sr = ring_hdr(ring);
	RING_IDX old = ring->rsp_pushed;
	RING_IDX new = ring->rsp_prod_pvt;

	if (old == new)
		return;
	virt_wmb();		/* responses before the index */
	WRITE_ONCE(sr->rsp_prod, new);
	ring->rsp_pushed = new;
	virt_mb();		/* index before reading rsp_event */
	if ((RING_IDX)(new - READ_ONCE(sr->rsp_event)) < (RING_IDX)(new - old)) {
		notify_remote_via_irq(ring->irq);
		ring->stats.events_out++;
	}
}

/* Queue a response; the thread publishes it with ring_push(). */
static void ring_respond(struct xbng_ring *ring, struct xbng_pending *req,
			 s16 status)
{
	spin_lock_irq(&ring->done_lock);
	__ring_respond(ring, req, status);
	spin_unlock_irq(&ring->done_lock);
}

static void ring_push(struct xbng_ring *ring)
{
	spin_lock_irq(&ring->done_lock);
	__ring_push(ring);
	spin_unlock_irq(&ring->done_lock);
}

static void ring_refuse(struct xbng_ring *ring, struct xbng_pending *req,
			s16 status, const char *why)
{
	ring->stats.bad_req++;
	xbng_warn(ring->dev, "ring %u: op %u id %llu refused: %s\n",
		  ring->index, req->operation, req->id, why);
	ring_respond(ring, req, status);
	pending_put(ring, req);
}

static void ring_halt(struct xbng_ring *ring, const char *why, RING_IDX prod)
{
	struct xbng_dev *dev = ring->dev;

	ring->broken = true;
	xbng_warn(dev, "ring %u: %s (prod %u, cons %u), closing\n",
		  ring->index, why, prod, ring->req_cons);
	/* Not overwritten by a Connected that xenwatch is about to write. */
	mutex_lock(&dev->state_lock);
	dev->halted = true;
	xenbus_dev_fatal(dev->xdev, -EPROTO, "ring %u: %s", ring->index, why);
	mutex_unlock(&dev->state_lock);
}

/* --- completions --- */

/*
 * A request's last bio is done.  Answer at once if there is nothing to
 * unmap: the frontend gets its response as soon as the disk has answered,
 * not after the thread's next pass (a whole batch later), which keeps the
 * guest busy while we work.  Either way the thread recycles the descriptor.
 */
void xbng_ring_complete(struct xbng_pending *req)
{
	struct xbng_ring *ring = req->ring;
	unsigned long flags;

	spin_lock_irqsave(&ring->done_lock, flags);
	if (req->answer_at_completion && req->status == BLK_STS_OK) {
		__ring_respond(ring, req, XBNG_RSP_OKAY);
		__ring_push(ring);
		req->answered = true;
	}
	list_add_tail(&req->node, &ring->done);
	/*
	 * An answered request only has its descriptor to recycle: the thread
	 * does that when the frontend's next request wakes it, unless it
	 * waits for descriptors or a drain.  Wake under the lock: once it is
	 * dropped the thread may recycle the last request, finish draining
	 * and free the ring.
	 */
	if (!req->answered || ring->want_completions)
		wake_up(&ring->wq);
	spin_unlock_irqrestore(&ring->done_lock, flags);
}

/*
 * Ask to be woken by every completion until the done list is next taken.
 * Under done_lock: a completion either sees the flag or has put its request
 * on the list before ring_has_work() looks at it.
 */
static void ring_want_completions(struct xbng_ring *ring)
{
	spin_lock_irq(&ring->done_lock);
	ring->want_completions = true;
	spin_unlock_irq(&ring->done_lock);
}

static s16 status_to_rsp(blk_status_t status)
{
	if (status == BLK_STS_OK)
		return XBNG_RSP_OKAY;
	if (status == BLK_STS_NOTSUPP)
		return XBNG_RSP_EOPNOTSUPP;
	return XBNG_RSP_ERROR;
}

/* Whether storage still holds a page that @req mapped for itself. */
static bool req_pages_held(struct xbng_pending *req)
{
	unsigned int i;

	if (req->answer_at_completion)
		return false;	/* every page a persistent grant */
	for (i = 0; i < req->nr_segs; i++) {
		struct xbng_seg_map *m = xbng_req_seg(req, i);

		if (m->page && !m->pgrant && xbng_page_held(m->page))
			return true;
	}
	return false;
}

/*
 * Move what storage still holds from @done to the ring's held list, and
 * what it has let go of since the last pass from there to @done.  A held
 * request stays unanswered: the frontend may reuse a page once its request
 * is answered, so the grant must be unmapped first, and it cannot be while
 * storage uses the page.
 */
static void ring_sort_held(struct xbng_ring *ring, struct list_head *done)
{
	struct xbng_pending *req, *tmp;
	LIST_HEAD(released);

	list_for_each_entry_safe(req, tmp, &ring->held, node) {
		if (req_pages_held(req))
			continue;
		ring->nr_held--;
		list_move_tail(&req->node, &released);
	}
	list_for_each_entry_safe(req, tmp, done, node) {
		if (!req_pages_held(req))
			continue;
		ring->nr_held++;
		ring->stats.unmap_deferred++;
		list_move_tail(&req->node, &ring->held);
	}
	list_splice_tail(&released, done);
}

static void ring_process_done(struct xbng_ring *ring)
{
	struct xbng_pending *req, *tmp;
	LIST_HEAD(done);

	spin_lock_irq(&ring->done_lock);
	list_splice_init(&ring->done, &done);
	ring->want_completions = false;
	spin_unlock_irq(&ring->done_lock);
	ring_sort_held(ring, &done);

	/*
	 * Every grant unmapped before any answer (the frontend may reuse a
	 * page once its request is answered), the unmaps of all these
	 * requests in shared hypercalls.
	 */
	list_for_each_entry(req, &done, node)
		req_unmap(ring, req, req->nr_segs);
	xbng_unmap_flush(ring);

	list_for_each_entry_safe(req, tmp, &done, node) {
		list_del(&req->node);
		if (req->answered) {
			ring->inflight--;
			pending_put(ring, req);
			continue;
		}
		if (req->status == BLK_STS_NOTSUPP &&
		    (req->kind == XBNG_KIND_FLUSH ||
		     req->kind == XBNG_KIND_BARRIER))
			xbng_dev_withdraw_flush(ring->dev);
		else if (req->status != BLK_STS_OK)
			xbng_warn(ring->dev, "ring %u: I/O error %d on id %llu\n",
				  ring->index, blk_status_to_errno(req->status),
				  req->id);
		ring_respond(ring, req, status_to_rsp(req->status));
		ring->inflight--;
		pending_put(ring, req);
	}
	ring_push(ring);
}

/*
 * Wait for every request in flight; their completions come to us, and the
 * held ones are looked at again every XBNG_HELD_POLL.
 */
static void ring_drain(struct xbng_ring *ring)
{
	while (ring->inflight) {
		ring_want_completions(ring);
		/* Idle, not hung: the disk may stall for minutes. */
		wait_event_idle_timeout(ring->wq,
					!list_empty_careful(&ring->done),
					ring->nr_held ? XBNG_HELD_POLL :
							MAX_SCHEDULE_TIMEOUT);
		ring_process_done(ring);
	}
}

/* --- request intake --- */

/* Copy the segments of an indirect request into private memory. */
static int ring_read_indirect(struct xbng_ring *ring, const struct xbng_req *r,
			      const struct xbng_req_plan *plan)
{
	struct xbng_seg_map pages[XBNG_MAX_INDIRECT_PAGES] = {};
	unsigned int i, done = 0;
	int err;

	for (i = 0; i < plan->nr_indirect_pages; i++)
		pages[i].gref = r->indirect_grefs[i];
	err = xbng_map_segs(ring, pages, plan->nr_indirect_pages, true);
	if (err >= 0) {
		for (i = 0; i < plan->nr_indirect_pages; i++) {
			unsigned int n = min_t(unsigned int,
					       plan->nr_segs - done,
					       XBNG_SEGS_PER_INDIRECT_PAGE);

			xbng_indirect_segs_decode(page_address(pages[i].page), 0,
						  n, ring->indirect_copy + done);
			done += n;
		}
	}
	xbng_unmap_segs_queue(ring, pages, plan->nr_indirect_pages);
	xbng_unmap_flush(ring);
	return err < 0 ? err : 0;
}

static void ring_count(struct xbng_ring *ring, enum xbng_kind kind,
		       u64 nr_sectors)
{
	switch (kind) {
	case XBNG_KIND_READ:
		ring->stats.rd_req++;
		ring->stats.rd_sect += nr_sectors;
		break;
	case XBNG_KIND_BARRIER:
	case XBNG_KIND_FLUSH:
		/*
		 * A flush or barrier is counted as one, its data or not, as
		 * the stock backend counts it: xentop's VBD_WR is writes only.
		 */
		ring->stats.f_req++;
		ring->stats.wr_sect += nr_sectors;
		break;
	default:
		ring->stats.wr_req++;
		ring->stats.wr_sect += nr_sectors;
		break;
	}
}

/*
 * Out of pages to map @req into: keep it, and the ring's copy of its slot,
 * until memory comes back.  The ring takes no other request meanwhile, so
 * the copy stays; completions and the tick (XBNG_HELD_POLL) retry it.  A
 * guest sees its I/O slow down under dom0's memory pressure, not fail: a
 * filesystem that gets EIO remounts read-only.
 */
static void ring_park(struct xbng_ring *ring, struct xbng_pending *req,
		      unsigned int nr_mapped)
{
	req_unmap(ring, req, nr_mapped);
	xbng_unmap_flush(ring);
	ring->parked = req;
}

/*
 * Decode, check and start the request whose slot is in ring->slot_copy.
 * @retry: it was parked for memory, and is already counted.
 */
static void ring_dispatch(struct xbng_ring *ring, struct xbng_pending *req,
			  const struct xbng_limits *lim, bool retry)
{
	const struct xbng_seg *segs;
	struct xbng_req_plan plan;
	enum xbng_req_err err;
	struct xbng_req r;
	u64 nr_sectors;
	unsigned int i;
	int owned, ind;

	xbng_req_decode(ring->dev->abi, ring->slot_copy, &r);
	req->id = r.id;
	req->operation = xbng_rsp_operation(&r);
	req->status = BLK_STS_OK;
	req->nr_segs = 0;
	req->sector = r.sector_number;
	req->nr_sectors = 0;
	if (!retry)
		req->start_ns = trace_xbng_response_enabled() ?
				ktime_get_ns() : 0;

	err = xbng_req_check(&r, lim, &plan);
	if (err)
		goto refuse;

	if (plan.kind == XBNG_KIND_DISCARD) {
		ring->stats.ds_req++;
		req->nr_sectors = r.nr_sectors;
		trace_xbng_request(ring, req);
		ring_respond(ring, req, xbng_io_discard(ring, &r, plan.secure));
		pending_put(ring, req);
		return;
	}

	if (plan.nr_indirect_pages) {
		/* Only a frontend that rewrote the slot under us gets here. */
		if (!pending_reserve_segs(ring, req, plan.nr_segs)) {
			ring_refuse(ring, req, XBNG_RSP_ERROR, "no memory");
			return;
		}
		ind = ring_read_indirect(ring, &r, &plan);
		if (ind == -ENOMEM) {
			ring_park(ring, req, 0);
			return;
		}
		if (ind) {
			ring_refuse(ring, req, XBNG_RSP_ERROR,
				    "bad indirect grant");
			return;
		}
		segs = ring->indirect_copy;
		req->indirect = true;
	} else {
		segs = r.seg;
		req->indirect = false;
	}

	err = xbng_segs_check(segs, plan.nr_segs, r.sector_number, lim,
			      &nr_sectors);
	if (err)
		goto refuse;

	/* Every entry valid before mapping: a failure unmaps all of them. */
	for (i = 0; i < plan.nr_segs; i++) {
		struct xbng_seg_map *m = xbng_req_seg(req, i);

		m->gref = segs[i].gref;
		m->first_sect = segs[i].first_sect;
		m->last_sect = segs[i].last_sect;
		m->page = NULL;
		m->pgrant = NULL;
		m->handle = XBNG_INVALID_HANDLE;
	}
	req->kind = plan.kind;

	/* Everything before a barrier reaches the disk first. */
	if (plan.kind == XBNG_KIND_BARRIER)
		ring_drain(ring);
	if (!retry) {
		ring_count(ring, plan.kind, nr_sectors);
		if (req->indirect)
			ring->stats.indirect_req++;
	}

	/* Guest memory is only written to by reads. */
	owned = req_map(ring, req, plan.nr_segs, plan.kind != XBNG_KIND_READ);
	if (owned == -ENOMEM) {
		ring_park(ring, req, plan.nr_segs);
		return;
	}
	if (owned < 0) {
		req_unmap(ring, req, plan.nr_segs);
		xbng_unmap_flush(ring);
		ring_refuse(ring, req, XBNG_RSP_ERROR, "bad grant");
		return;
	}
	req->nr_segs = plan.nr_segs;
	req->nr_sectors = nr_sectors;
	req->answer_at_completion = !owned;
	req->answered = false;
	ring->inflight++;
	trace_xbng_request(ring, req);
	xbng_io_submit(req, r.sector_number);
	return;

refuse:
	ring_refuse(ring, req, xbng_req_err_status(err), xbng_req_err_str(err));
}

/*
 * The segments an indirect request in @slot announces (0 for any other
 * operation).  A hint only, to allocate before consuming: the copy taken
 * afterwards is what gets checked.  The operation and nr_segments of an
 * indirect request sit at offsets 0 and 2 in both ABIs.
 */
static unsigned int slot_indirect_segs(const u8 *slot)
{
	if (READ_ONCE(slot[0]) != XBNG_OP_INDIRECT)
		return 0;
	return min_t(unsigned int,
		     READ_ONCE(slot[2]) | READ_ONCE(slot[3]) << 8,
		     XBNG_MAX_INDIRECT_SEGS);
}

/*
 * Consume what the frontend queued.  Returns true if requests remain that
 * could not be taken yet (no free descriptor): a completion will wake us.
 * Sets *consumed once a request is taken and never clears it: the caller
 * accumulates it across passes until the next EOI.
 */
static bool ring_do_requests(struct xbng_ring *ring, bool *consumed)
{
	struct blkif_sring *sr = ring_hdr(ring);
	struct xbng_limits lim = ring->dev->lim;
	struct xbng_pending *req;
	RING_IDX rp, rc;
	u8 *slot;

	rp = READ_ONCE(sr->req_prod);
	virt_rmb();		/* index before the requests it covers */

	/*
	 * A producer index more than a ring ahead of our responses, or behind
	 * what we consumed, is a frontend that broke the protocol.
	 */
	if (rp - READ_ONCE(ring->rsp_prod_pvt) > ring->nr_slots ||
	    rp - ring->req_cons > ring->nr_slots) {
		ring_halt(ring, "producer index out of range", rp);
		return false;
	}

	if (ring->parked) {
		req = ring->parked;
		ring->parked = NULL;
		ring_dispatch(ring, req, &lim, true);
		if (ring->parked)
			goto wait;
	}
	rc = ring->req_cons;
	while (rc != rp && !kthread_should_stop() &&
	       !READ_ONCE(ring->stopping)) {
		slot = ring_slot(ring, rc);
		req = pending_get(ring, slot_indirect_segs(slot));
		if (!req) {
			ring->stats.oo_req++;
			ring_want_completions(ring);
			return true;
		}
		memcpy(ring->slot_copy, slot, ring->slot_size);
		ring->req_cons = ++rc;
		barrier();	/* the copy is taken before anything else */
		ring->last_io = jiffies;
		*consumed = true;
		ring_dispatch(ring, req, &lim, false);
		if (ring->parked) {
			ring->stats.mem_waits++;
			goto wait;
		}
		/*
		 * A bio-based disk (brd, dm) may do the whole transfer inside
		 * the submission: let the other rings' threads run in between.
		 */
		cond_resched();
	}
	return false;

wait:
	/* Returned pages, or the tick, let the parked request go on. */
	ring_want_completions(ring);
	return true;
}

static bool ring_has_more(struct xbng_ring *ring)
{
	struct blkif_sring *sr = ring_hdr(ring);

	if (READ_ONCE(sr->req_prod) != ring->req_cons)
		return true;
	/* Ask for an event on the next request, then look once more. */
	WRITE_ONCE(sr->req_event, ring->req_cons + 1);
	virt_mb();	/* req_event visible before we read req_prod again */
	return READ_ONCE(sr->req_prod) != ring->req_cons;
}

/* --- housekeeping --- */

static void ring_log_stats(struct xbng_ring *ring)
{
	struct xbng_ring_stats *s = &ring->stats;

	pr_info(DRV_NAME ": %s ring %u: oo %llu rd %llu wr %llu f %llu ds %llu bad %llu pgrants %u pool %lu\n",
		ring->dev->name, ring->index, s->oo_req, s->rd_req, s->wr_req,
		s->f_req, s->ds_req, s->bad_req, ring->nr_pgrants,
		ring->pool.free);
}

/* Tell the shrinker what a pressure event could release besides pages. */
static void ring_publish_idle(struct xbng_ring *ring)
{
	WRITE_ONCE(ring->pool.idle_items,
		   (ring->nr_pending - ring->desc_meter.in_use) +
		   (ring->nr_pgrants - ring->pgrant_meter.in_use));
}

/* A view of the descriptor or persistent-grant pool, on the pool's clock. */
static void ring_view(struct xbng_ring *ring, struct xbng_pool_view *v,
		      unsigned long held, struct xbng_pool_meter *m,
		      unsigned long cap, bool pressure)
{
	xbng_pool_view_init(v, m);
	v->free = held - m->in_use;
	v->cap = cap;
	v->last_busy_ms = v->now_ms - jiffies_to_msecs(jiffies - ring->last_io);
	v->pressure = pressure;
	v->expire_ms = XBNG_IDLE_EXPIRE_MS;
}

/*
 * Size the descriptor and persistent-grant pools to what the policy allows
 * now; with @pressure, answer a pressure event (the page pool was emptied
 * in the callback, and gets back the pages of released grants here).
 */
static void ring_trim(struct xbng_ring *ring, bool pressure)
{
	const struct xbng_pool_policy *pol = xbng_pool_active(&ring->pool);
	unsigned int descs = ring->nr_pending, pgrants = ring->nr_pgrants;
	struct xbng_pool_view v;
	u64 ns;

	if (pressure && pol->release_on_pressure) {
		xbng_pool_meter_reset(&ring->desc_meter);
		xbng_pool_meter_reset(&ring->pgrant_meter);
	} else if (!pressure) {
		xbng_pool_meter_fold(&ring->desc_meter);
		xbng_pool_meter_fold(&ring->pgrant_meter);
	}

	ring_view(ring, &v, ring->nr_pending, &ring->desc_meter,
		  ring->nr_slots, pressure);
	pending_release(ring, xbng_pool_excess(pol, &v));

	/* Stale and over-cap grants go whatever the policy (grant.c). */
	ring_view(ring, &v, ring->nr_pgrants, &ring->pgrant_meter,
		  READ_ONCE(xbng_max_persistent_grants), pressure);
	xbng_pgrant_purge(ring, xbng_pool_excess(pol, &v),
			  msecs_to_jiffies(xbng_pgrant_min_idle_ms(&v)));

	if (pressure) {
		ns = xbng_pool_squeeze(&ring->pool);
		trace_xbng_pressure_done(ring, descs - ring->nr_pending,
					 pgrants - ring->nr_pgrants, ns);
	} else {
		xbng_pool_tick(&ring->pool, v.last_busy_ms);
	}
	ring_publish_idle(ring);
}

static void ring_tick(struct xbng_ring *ring)
{
	struct xbng_dev *dev = ring->dev;

	ring_trim(ring, false);
	/* A detached ring's device may be serving its next rings already. */
	if (ring->index == 0 && !READ_ONCE(ring->stopping)) {
		sector_t sectors = bdev_nr_sectors(dev->bdev.bdev);

		if (sectors != READ_ONCE(dev->lim.dev_sectors))
			xbng_dev_resized(dev, sectors);
		xbng_blkcg_check(dev);
	}
	if (READ_ONCE(xbng_log_stats) &&
	    time_after(jiffies, ring->next_stats_log)) {
		ring_log_stats(ring);
		ring->next_stats_log = jiffies + 10 * HZ;
	}
	ring->next_tick = jiffies + (xbng_pgrant_over_cap(ring) ?
				     XBNG_TICK_BUSY : XBNG_TICK_IDLE);
}

static bool ring_has_work(struct xbng_ring *ring)
{
	return READ_ONCE(ring->waiting_reqs) ||
	       READ_ONCE(ring->pressure_pending) ||
	       !list_empty_careful(&ring->done) || kthread_should_stop();
}

static int ring_thread(void *data)
{
	struct xbng_ring *ring = data;
	/* Whether any request was taken since the last EOI. */
	bool consumed = false;

	set_freezable();
	ring->next_tick = jiffies + XBNG_TICK_IDLE;
	while (!kthread_should_stop()) {
		bool more = false;
		long timeout = ring->next_tick - jiffies;

		if (ring->nr_held || ring->parked)
			timeout = min_t(long, timeout, XBNG_HELD_POLL);
		if (try_to_freeze())
			continue;
		if (READ_ONCE(ring->dev->blkcg_gen) != ring->blkcg_gen)
			xbng_blkcg_sync_thread(ring);
		if (timeout > 0)
			wait_event_freezable_timeout(ring->wq,
						     ring_has_work(ring),
						     timeout);
		WRITE_ONCE(ring->waiting_reqs, false);
		smp_mb();	/* clear the flag before looking at the ring */

		ring_process_done(ring);
		if (!ring->broken && !READ_ONCE(ring->stopping)) {
			struct blk_plug plug;

			blk_start_plug(&plug);
			more = ring_do_requests(ring, &consumed);
			blk_finish_plug(&plug);
			ring_push(ring);
		}
		/*
		 * One late EOI per event.  It is spurious only if nothing came
		 * since the previous EOI, so that Xen throttles a guest storming
		 * us, not one whose requests a pass took before its event
		 * arrived (a busy ring often does).
		 */
		if (xchg(&ring->irq_pending, false)) {
			xen_irq_lateeoi(ring->irq,
					consumed ? 0 : XEN_EOI_FLAG_SPURIOUS);
			consumed = false;
		}
		if (!more && !ring->broken && !READ_ONCE(ring->stopping) &&
		    ring_has_more(ring))
			WRITE_ONCE(ring->waiting_reqs, true);
		if (xchg(&ring->pressure_pending, false))
			ring_trim(ring, true);
		if (time_after_eq(jiffies, ring->next_tick))
			ring_tick(ring);
		else
			ring_publish_idle(ring);
	}

	/* Nothing is left in flight when the thread is gone. */
	ring_drain(ring);
	if (ring->parked) {
		/*
		 * Never started, and the device is going away: answer it, or
		 * the frontend waits for it for ever.
		 */
		ring_respond(ring, ring->parked, XBNG_RSP_ERROR);
		ring_push(ring);
		pending_put(ring, ring->parked);
		ring->parked = NULL;
	}
	kthread_associate_blkcg(NULL);
	return 0;
}

/* --- attach and detach --- */

int xbng_ring_connect(struct xbng_ring *ring, grant_ref_t *grefs,
		      unsigned int nr_pages, evtchn_port_t evtchn)
{
	struct xbng_dev *dev = ring->dev;
	struct blkif_sring *sr;
	RING_IDX rsp;
	int err;

	init_waitqueue_head(&ring->wq);
	spin_lock_init(&ring->done_lock);
	INIT_LIST_HEAD(&ring->done);
	INIT_LIST_HEAD(&ring->held);
	INIT_LIST_HEAD(&ring->free_pending);
	INIT_LIST_HEAD(&ring->pgrant_lru);
	ring->pgrants = RB_ROOT;
	ring->pool.on_pressure = ring_on_pressure;
	xbng_pool_init(&ring->pool, &dev->pool_stats, &dev->policy,
		       dev->domain, XBNG_FLOOR_PAGES, ring->page_cost);
	ring->pool.trace_dev = dev->handle;
	ring->pool.trace_queue = ring->index;
	xbng_pool_meter_reset(&ring->desc_meter);
	xbng_pool_meter_reset(&ring->pgrant_meter);
	ring->last_io = jiffies;
	ring->initialised = true;

	err = xenbus_map_ring_valloc(dev->xdev, grefs, nr_pages, &ring->sring);
	if (err) {
		ring->sring = NULL;
		return err;
	}
	ring->slot_size = xbng_slot_size(dev->abi);
	ring->nr_slots = xbng_ring_slots(dev->abi, nr_pages);

	/*
	 * Attach where the frontend's ring stands: after an unbind/rebind of
	 * the backend, responses up to rsp_prod were already given.
	 */
	sr = ring_hdr(ring);
	rsp = READ_ONCE(sr->rsp_prod);
	ring->req_cons = rsp;
	ring->rsp_prod_pvt = rsp;
	ring->rsp_pushed = rsp;
	if (READ_ONCE(sr->req_prod) - rsp > ring->nr_slots)
		return -EIO;

	err = xbng_bind_evtchn_lateeoi(dev->xdev, evtchn, ring_interrupt, 0,
				       DRV_NAME, ring);
	if (err < 0)
		return err;
	ring->irq = err;

	ring->thread = kthread_run(ring_thread, ring, "xbng.%u.%u-%u",
				   dev->domid, dev->handle, ring->index);
	if (IS_ERR(ring->thread)) {
		err = PTR_ERR(ring->thread);
		ring->thread = NULL;
		return err;
	}
	xbng_debugfs_ring_add(ring);
	return 0;
}

void xbng_ring_stop_intake(struct xbng_ring *ring)
{
	if (!ring->initialised)
		return;
	xbng_debugfs_ring_del(ring);
	WRITE_ONCE(ring->stopping, true);
	xbng_ring_kick(ring);
}

/*
 * Whether a detached ring still has requests in flight (held by storage
 * included).  A request parked for memory is not: a detached ring never
 * retries it, and its thread puts it back on the way out.  Read from
 * outside the ring's thread: a stale answer only makes the caller look
 * again later.
 */
bool xbng_ring_busy(struct xbng_ring *ring)
{
	return ring->initialised && ring->thread && READ_ONCE(ring->inflight);
}

void xbng_ring_disconnect(struct xbng_ring *ring)
{
	struct xbng_dev *dev = ring->dev;

	if (!ring->initialised)
		return;		/* failed before xbng_ring_connect() */
	/* The thread drains every request in flight before it exits. */
	if (ring->thread) {
		kthread_stop(ring->thread);
		ring->thread = NULL;
	}
	if (ring->irq > 0) {
		unbind_from_irqhandler(ring->irq, ring);
		ring->irq = 0;
	}
	xbng_pgrant_purge_all(ring);
	pending_release(ring, ULONG_MAX);
	xbng_pool_destroy(&ring->pool);
	if (ring->sring) {
		xenbus_unmap_ring_vfree(dev->xdev, ring->sring);
		ring->sring = NULL;
	}
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of xen-blkback-ng, trace system "xbng": requests, grant
 * hypercall batches, the pools, memory pressure, the per-guest budget and
 * the xenbus states of a device.  Disabled, each is a static branch that
 * is not taken; the request latency is only measured while xbng_response
 * is enabled.
 *
 * Every event that belongs to a device names it the way xl and xenstore
 * do: dom (the frontend's domain), dev (the virtual device number, as in
 * backend/vbd/<dom>/<dev>) and queue (the ring).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xbng

#if !defined(XBNG_TRACE_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define XBNG_TRACE_EVENTS_H

#include <linux/tracepoint.h>

#include "common.h"

/* The pools, as the pool field shows them. */
#define XBNG_TRACE_POOL_PAGES	0
#define XBNG_TRACE_POOL_DESC	1
#define XBNG_TRACE_POOL_PGRANT	2

#define xbng_show_pool(p)						\
	__print_symbolic(p, { XBNG_TRACE_POOL_PAGES, "pages" },		\
			 { XBNG_TRACE_POOL_DESC, "desc" },		\
			 { XBNG_TRACE_POOL_PGRANT, "pgrant" })

/* The blkif operation, as the guest sent it (BLKIF_OP_*). */
#define xbng_show_op(op)						\
	__print_symbolic(op, { XBNG_OP_READ, "read" },			\
			 { XBNG_OP_WRITE, "write" },			\
			 { XBNG_OP_WRITE_BARRIER, "barrier" },		\
			 { XBNG_OP_FLUSH_DISKCACHE, "flush" },		\
			 { XBNG_OP_DISCARD, "discard" },		\
			 { XBNG_OP_INDIRECT, "indirect" })

/*
 * A request that passed validation goes to storage: its first sector, its
 * length in 512-byte sectors and its segments (indirect: they came in
 * indirect pages).  Refused requests only show as an xbng_response.
 */
TRACE_EVENT(xbng_request,
	    TP_PROTO(const struct xbng_ring *ring, const struct xbng_pending *req),
	    TP_ARGS(ring, req),
	    TP_STRUCT__entry(__field(u16, dom)
			     __field(u32, dev)
			     __field(u16, queue)
			     __field(u8, op)
			     __field(bool, indirect)
			     __field(u16, segs)
			     __field(u64, sectors)
			     __field(u64, sector)
			     __field(u64, id)),
	    TP_fast_assign(__entry->dom = ring->dev->domid;
			   __entry->dev = ring->dev->handle;
			   __entry->queue = ring->index;
			   __entry->op = req->operation;
			   __entry->indirect = req->indirect;
			   __entry->segs = req->nr_segs;
			   __entry->sectors = req->nr_sectors;
			   __entry->sector = req->sector;
			   __entry->id = req->id;),
	    TP_printk("dom=%u dev=%u queue=%u id=%llu op=%s sector=%llu sectors=%llu segs=%u indirect=%d",
		      __entry->dom, __entry->dev, __entry->queue, __entry->id,
		      xbng_show_op(__entry->op), __entry->sector,
		      __entry->sectors, __entry->segs, __entry->indirect)
);

/*
 * A response written to the ring: status is BLKIF_RSP_* (0 done, -1
 * error, -2 not supported); latency_ns runs from the request's dispatch
 * (0 for a request taken before the event was enabled).
 */
TRACE_EVENT(xbng_response,
	    TP_PROTO(const struct xbng_ring *ring, const struct xbng_pending *req,
		     s16 status, u64 latency_ns),
	    TP_ARGS(ring, req, status, latency_ns),
	    TP_STRUCT__entry(__field(u16, dom)
			     __field(u32, dev)
			     __field(u16, queue)
			     __field(u8, op)
			     __field(s16, status)
			     __field(u16, segs)
			     __field(u64, sectors)
			     __field(u64, sector)
			     __field(u64, id)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->dom = ring->dev->domid;
			   __entry->dev = ring->dev->handle;
			   __entry->queue = ring->index;
			   __entry->op = req->operation;
			   __entry->status = status;
			   __entry->segs = req->nr_segs;
			   __entry->sectors = req->nr_sectors;
			   __entry->sector = req->sector;
			   __entry->id = req->id;
			   __entry->latency_ns = latency_ns;),
	    TP_printk("dom=%u dev=%u queue=%u id=%llu op=%s sector=%llu sectors=%llu segs=%u status=%d latency_ns=%llu",
		      __entry->dom, __entry->dev, __entry->queue, __entry->id,
		      xbng_show_op(__entry->op), __entry->sector,
		      __entry->sectors, __entry->segs, __entry->status,
		      __entry->latency_ns)
);

/* One grant-table hypercall: @ops operations, @failed of them failed. */
DECLARE_EVENT_CLASS(xbng_grant_batch,
		    TP_PROTO(const struct xbng_ring *ring, unsigned int ops,
			     unsigned int failed),
		    TP_ARGS(ring, ops, failed),
		    TP_STRUCT__entry(__field(u16, dom)
				     __field(u32, dev)
				     __field(u16, queue)
				     __field(u16, ops)
				     __field(u16, failed)),
		    TP_fast_assign(__entry->dom = ring->dev->domid;
				   __entry->dev = ring->dev->handle;
				   __entry->queue = ring->index;
				   __entry->ops = ops;
				   __entry->failed = failed;),
		    TP_printk("dom=%u dev=%u queue=%u ops=%u failed=%u",
			      __entry->dom, __entry->dev, __entry->queue, __entry->ops,
			      __entry->failed)
);

DEFINE_EVENT(xbng_grant_batch, xbng_grant_map,
	     TP_PROTO(const struct xbng_ring *ring, unsigned int ops,
		      unsigned int failed),
	     TP_ARGS(ring, ops, failed));

DEFINE_EVENT(xbng_grant_batch, xbng_grant_unmap,
	     TP_PROTO(const struct xbng_ring *ring, unsigned int ops,
		      unsigned int failed),
	     TP_ARGS(ring, ops, failed));

/* A pool's items and the bytes of dom0 memory that go with them. */
DECLARE_EVENT_CLASS(xbng_pool_change,
		    TP_PROTO(u16 dom, u32 dev, u16 queue, int pool, unsigned int items,
			     u64 bytes),
		    TP_ARGS(dom, dev, queue, pool, items, bytes),
		    TP_STRUCT__entry(__field(u16, dom)
				     __field(u32, dev)
				     __field(u16, queue)
				     __field(u8, pool)
				     __field(u32, items)
				     __field(u64, bytes)),
		    TP_fast_assign(__entry->dom = dom;
				   __entry->dev = dev;
				   __entry->queue = queue;
				   __entry->pool = pool;
				   __entry->items = items;
				   __entry->bytes = bytes;),
		    TP_printk("dom=%u dev=%u queue=%u pool=%s items=%u bytes=%llu",
			      __entry->dom, __entry->dev, __entry->queue,
			      xbng_show_pool(__entry->pool), __entry->items,
			      __entry->bytes)
);

/*
 * Items taken from a pool for a request; @bytes is what those of them that
 * had to be allocated cost dom0 (pages: what a page costs dom0), 0 when
 * the pool had them all.
 */
DEFINE_EVENT(xbng_pool_change, xbng_pool_take,
	     TP_PROTO(u16 dom, u32 dev, u16 queue, int pool, unsigned int items,
		      u64 bytes),
	     TP_ARGS(dom, dev, queue, pool, items, bytes));

/*
 * Idle items given back to dom0, and the memory that frees: because the
 * policy keeps fewer (idle, a cap, the budget), or to memory pressure.
 */
DEFINE_EVENT(xbng_pool_change, xbng_pool_release,
	     TP_PROTO(u16 dom, u32 dev, u16 queue, int pool, unsigned int items,
		      u64 bytes),
	     TP_ARGS(dom, dev, queue, pool, items, bytes));

DEFINE_EVENT(xbng_pool_change, xbng_pool_squeeze,
	     TP_PROTO(u16 dom, u32 dev, u16 queue, int pool, unsigned int items,
		      u64 bytes),
	     TP_ARGS(dom, dev, queue, pool, items, bytes));

/*
 * A memory-pressure event (the shrinker or xenbus's reclaim): @pages free
 * pages given back at once by @pools page pools, in @walk_ns.  The rings
 * release their other pools from their threads: xbng_pressure_done.
 */
TRACE_EVENT(xbng_pressure,
	    TP_PROTO(unsigned long pages, unsigned int pools, u64 walk_ns),
	    TP_ARGS(pages, pools, walk_ns),
	    TP_STRUCT__entry(__field(unsigned long, pages)
			     __field(u32, pools)
			     __field(u64, walk_ns)),
	    TP_fast_assign(__entry->pages = pages;
			   __entry->pools = pools;
			   __entry->walk_ns = walk_ns;),
	    TP_printk("pages=%lu pools=%u walk_ns=%llu", __entry->pages,
		      __entry->pools, __entry->walk_ns)
);

/*
 * A ring has answered a pressure event: @descs idle request descriptors
 * and @pgrants idle persistent grants released, @ns after the event began.
 */
TRACE_EVENT(xbng_pressure_done,
	    TP_PROTO(const struct xbng_ring *ring, unsigned int descs,
		     unsigned int pgrants, u64 ns),
	    TP_ARGS(ring, descs, pgrants, ns),
	    TP_STRUCT__entry(__field(u16, dom)
			     __field(u32, dev)
			     __field(u16, queue)
			     __field(u32, descs)
			     __field(u32, pgrants)
			     __field(u64, ns)),
	    TP_fast_assign(__entry->dom = ring->dev->domid;
			   __entry->dev = ring->dev->handle;
			   __entry->queue = ring->index;
			   __entry->descs = descs;
			   __entry->pgrants = pgrants;
			   __entry->ns = ns;),
	    TP_printk("dom=%u dev=%u queue=%u descs=%u pgrants=%u ns=%llu",
		      __entry->dom, __entry->dev, __entry->queue,
		      __entry->descs, __entry->pgrants, __entry->ns)
);

/*
 * The domain's budget (max_domain_kb) refused @bytes: @used bytes were
 * charged already, of @budget.
 */
TRACE_EVENT(xbng_budget_refused,
	    TP_PROTO(u16 dom, u64 bytes, u64 used, u64 budget),
	    TP_ARGS(dom, bytes, used, budget),
	    TP_STRUCT__entry(__field(u16, dom)
			     __field(u64, bytes)
			     __field(u64, used)
			     __field(u64, budget)),
	    TP_fast_assign(__entry->dom = dom;
			   __entry->bytes = bytes;
			   __entry->used = used;
			   __entry->budget = budget;),
	    TP_printk("dom=%u bytes=%llu used=%llu budget=%llu", __entry->dom,
		      __entry->bytes, __entry->used, __entry->budget)
);

/* enum xenbus_state: resolved in the format file for perf and trace-cmd. */
TRACE_DEFINE_ENUM(XenbusStateUnknown);
TRACE_DEFINE_ENUM(XenbusStateInitialising);
TRACE_DEFINE_ENUM(XenbusStateInitWait);
TRACE_DEFINE_ENUM(XenbusStateInitialised);
TRACE_DEFINE_ENUM(XenbusStateConnected);
TRACE_DEFINE_ENUM(XenbusStateClosing);
TRACE_DEFINE_ENUM(XenbusStateClosed);
TRACE_DEFINE_ENUM(XenbusStateReconfiguring);
TRACE_DEFINE_ENUM(XenbusStateReconfigured);

#define xbng_show_state(s)						\
	__print_symbolic(s, { XenbusStateUnknown, "Unknown" },		\
			 { XenbusStateInitialising, "Initialising" },	\
			 { XenbusStateInitWait, "InitWait" },		\
			 { XenbusStateInitialised, "Initialised" },	\
			 { XenbusStateConnected, "Connected" },		\
			 { XenbusStateClosing, "Closing" },		\
			 { XenbusStateClosed, "Closed" },		\
			 { XenbusStateReconfiguring, "Reconfiguring" },	\
			 { XenbusStateReconfigured, "Reconfigured" })

/*
 * A xenbus state: the frontend's as the backend saw it change (frontend=1),
 * or the backend's as written to xenstore (frontend=0; err is the write's
 * error, 0 when it took).
 */
TRACE_EVENT(xbng_state,
	    TP_PROTO(u16 dom, u32 dev, bool frontend, int state, int err),
	    TP_ARGS(dom, dev, frontend, state, err),
	    TP_STRUCT__entry(__field(u16, dom)
			     __field(u32, dev)
			     __field(bool, frontend)
			     __field(u8, state)
			     __field(int, err)),
	    TP_fast_assign(__entry->dom = dom;
			   __entry->dev = dev;
			   __entry->frontend = frontend;
			   __entry->state = state;
			   __entry->err = err;),
	    TP_printk("dom=%u dev=%u %s=%s err=%d", __entry->dom, __entry->dev,
		      __entry->frontend ? "frontend" : "backend",
		      xbng_show_state(__entry->state), __entry->err)
);

#endif /* XBNG_TRACE_EVENTS_H */

/* Out of tree: define_trace.h finds this file through ccflags' -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH trace
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xbng_events
#include <trace/define_trace.h>

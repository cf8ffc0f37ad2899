// SPDX-License-Identifier: GPL-2.0
/*
 * Free-page pools: taking and returning grant-mapping target pages, trimming
 * each pool to what the active policy allows, and reacting to memory
 * pressure.
 *
 * Releasing pages under pressure happens inside the pressure callback, but
 * the pages are not handed to the allocator there: with unpopulated-alloc
 * kernels, freeing takes a mutex that the same allocator holds while it
 * allocates with GFP_KERNEL, so freeing from reclaim could deadlock.  The
 * callback moves them onto a "graveyard" page cache (spinlocks only) and a
 * worker frees them; the pools hold zero free pages as soon as the callback
 * returns.  A pool never contains a page that is mapped or under I/O: pages
 * only enter it through xbng_pool_put() after their grant was unmapped.
 */
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/shrinker.h>
#include <linux/stringify.h>
#include <linux/workqueue.h>

#include "../compat/compat.h"
#include "../trace/xbng_events.h"
#include "pool.h"

#define PFX "xen-blkback-ng: "

struct xbng_pool_stats xbng_global_pool_stats;

/* The parameters' defaults, written once for the value and modinfo. */
#define DEF_MAX_BUFFER_PAGES	1024
#define DEF_SQUEEZE_MS		10
#define DEF_IDLE_MS		3000
#define DEF_HALF_LIFE_MS	1000

static unsigned int xbng_max_buffer_pages = DEF_MAX_BUFFER_PAGES;
module_param_named(max_buffer_pages, xbng_max_buffer_pages, uint, 0644);
MODULE_PARM_DESC(max_buffer_pages,
		 "Free pages a ring's pool may keep, the policies' cap (pages; default "
		 __stringify(DEF_MAX_BUFFER_PAGES) ")");

static unsigned int xbng_squeeze_duration_ms = DEF_SQUEEZE_MS;
module_param_named(buffer_squeeze_duration_ms, xbng_squeeze_duration_ms,
		   uint, 0644);
MODULE_PARM_DESC(buffer_squeeze_duration_ms,
		 "After memory pressure, keep pools empty this long (ms; default "
		 __stringify(DEF_SQUEEZE_MS) ")");

static unsigned int xbng_pool_idle_ms = DEF_IDLE_MS;
module_param_named(pool_idle_ms, xbng_pool_idle_ms, uint, 0644);
MODULE_PARM_DESC(pool_idle_ms,
		 "Under the idle and adaptive policies, empty the pools of a ring idle this long (ms; default "
		 __stringify(DEF_IDLE_MS) ")");

static unsigned int xbng_half_life_ms = DEF_HALF_LIFE_MS;
module_param_named(pool_adaptive_half_life_ms, xbng_half_life_ms, uint, 0644);
MODULE_PARM_DESC(pool_adaptive_half_life_ms,
		 "Under the adaptive policy, the recent demand on a pool halves this often (ms; default "
		 __stringify(DEF_HALF_LIFE_MS) ")");

#ifdef XBNG_FAULT_INJECT
/*
 * Test builds only (make XBNG_FAULT_INJECT=y, as the lab builds): a failed
 * page allocation on the I/O path cannot be provoked at will otherwise.
 */
static unsigned int xbng_fault_page_alloc;
module_param_named(fault_page_alloc, xbng_fault_page_alloc, uint, 0644);
MODULE_PARM_DESC(fault_page_alloc,
		 "Test builds: fail every Nth page request of a ring as out of memory (requests, 0 = never; default 0)");
static atomic_t fault_page_calls;

/*
 * Test builds: charge pool pages to the budget as pages of dom0 RAM, as on
 * kernels without unpopulated-alloc (armhf, kernels built without
 * ZONE_DEVICE), which the lab's dom0 is not.  Read when a ring connects.
 */
static bool xbng_test_pages_cost_ram;
module_param_named(test_pages_cost_ram, xbng_test_pages_cost_ram, bool, 0644);
MODULE_PARM_DESC(test_pages_cost_ram,
		 "Test builds: charge grant pages to max_domain_kb as dom0 RAM (bool; default N)");

static bool fault_page_alloc(void)
{
	unsigned int every = READ_ONCE(xbng_fault_page_alloc);

	return every && !(atomic_inc_return(&fault_page_calls) % every);
}
#else
static bool fault_page_alloc(void)
{
	return false;
}

static const bool xbng_test_pages_cost_ram;
#endif

static const struct xbng_pool_policy *active_policy = XBNG_DEFAULT_POLICY;

/* End of the current pressure window, on the ktime_get() clock in ms. */
static atomic64_t squeeze_until_ms;
/* Counts pressure events, so each device counts an event once. */
static u64 pressure_seq;
/* When the last pressure event began, on the ktime_get() clock in ns. */
static atomic64_t pressure_start_ns;

/*
 * Pressure signals less than this apart are one event: xenbus calls
 * reclaim_memory once for every backend device in one pass of its
 * shrinker, and reclaim calls the shrinkers in rounds.
 */
#define XBNG_PRESSURE_EVENT_MS	1000
/* The last pressure signal, on the ktime_get() clock in ms (0: none). */
static atomic64_t last_signal_ms;

static LIST_HEAD(all_pools);
static DEFINE_SPINLOCK(all_pools_lock);
static unsigned long nr_pools;		/* on all_pools */

static struct gnttab_page_cache graveyard;
static struct shrinker *pool_shrinker;

static void graveyard_reap(struct work_struct *work)
{
	gnttab_page_cache_shrink(&graveyard, 0);
}

static DECLARE_WORK(graveyard_work, graveyard_reap);

static u64 now_ms(void)
{
	return ktime_to_ms(ktime_get());
}

const struct xbng_pool_policy *xbng_pool_policy(void)
{
	return READ_ONCE(active_policy);
}

void xbng_pool_set_policy(const struct xbng_pool_policy *pol)
{
	const struct xbng_pool_policy *old = xchg(&active_policy, pol);

	if (old != pol)
		pr_info(PFX "pool policy %s -> %s\n", old->name, pol->name);
}

static int policy_param_set(const char *val, const struct kernel_param *kp)
{
	const struct xbng_pool_policy *pol = xbng_policy_find(val);

	if (!pol)
		return -EINVAL;
	xbng_pool_set_policy(pol);
	return 0;
}

static int policy_param_get(char *buf, const struct kernel_param *kp)
{
	return xbng_policy_list(buf, PAGE_SIZE, xbng_pool_policy());
}

static const struct kernel_param_ops policy_param_ops = {
	.set = policy_param_set,
	.get = policy_param_get,
};

module_param_cb(pool_policy, &policy_param_ops, NULL, 0644);
MODULE_PARM_DESC(pool_policy,
		 "Pool policy of every device without its own: static (cap at max_buffer_pages), squeeze (empty on memory pressure), idle (also empty idle pools), adaptive (keep recent demand, squeeze, empty idle pools) (name; default squeeze)");

void xbng_raise_high_water(atomic_long_t *hw, long val)
{
	long old = atomic_long_read(hw);

	while (val > old && !atomic_long_try_cmpxchg(hw, &old, val))
		;
}

static void account_free(struct xbng_pool *pool, long delta)
{
	struct xbng_pool_stats *st[] = { pool->dev_stats,
					 &xbng_global_pool_stats };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		long now = atomic_long_add_return(delta, &st[i]->free_pages);

		if (delta > 0)
			xbng_raise_high_water(&st[i]->high_water, now);
	}
}

static void account_add(struct xbng_pool *pool, size_t offset, u64 n)
{
	atomic64_add(n, (atomic64_t *)((char *)pool->dev_stats + offset));
	atomic64_add(n, (atomic64_t *)((char *)&xbng_global_pool_stats +
				       offset));
}

#define ACCOUNT(pool, field, n) \
	account_add(pool, offsetof(struct xbng_pool_stats, field), n)

/*
 * @n more pages owned by @pool (negative: fewer), charged to or refunded
 * from its domain.  Caller holds pool->lock, so that the domain is always
 * charged exactly for the pages owned past the floor.  False, and nothing
 * changed, if the budget cannot pay.
 */
static bool pool_own_locked(struct xbng_pool *pool, long n)
{
	unsigned long pages;

	if (n >= 0) {
		pages = xbng_budget_page_charge(pool->owned, n,
						pool->floor_pages);
		if (pages && !xbng_domain_charge(pool->domain,
						 pages * pool->page_cost))
			return false;
		pool->owned += n;
	} else {
		pages = xbng_budget_page_refund(pool->owned, -n,
						pool->floor_pages);
		xbng_domain_uncharge(pool->domain, pages * pool->page_cost);
		pool->owned -= min_t(unsigned long, -n, pool->owned);
	}
	return true;
}

/*
 * Move the free pages above @keep to the graveyard.  Caller holds
 * pool->lock; pool->free always equals the cache's page count, so the
 * cache never has to allocate here.
 */
static unsigned long pool_shed_locked(struct xbng_pool *pool,
				      unsigned long keep)
{
	unsigned long n = 0;
	struct page *page;

	while (pool->free > keep) {
		if (gnttab_page_cache_get(&pool->cache, &page))
			break;
		gnttab_page_cache_put(&graveyard, &page, 1);
		pool->free--;
		n++;
	}
	pool_own_locked(pool, -(long)n);
	return n;
}

const struct xbng_pool_policy *xbng_pool_active(const struct xbng_pool *pool)
{
	const struct xbng_pool_policy *pol = NULL;

	if (pool->dev_policy)
		pol = READ_ONCE(*pool->dev_policy);
	return pol ? pol : xbng_pool_policy();
}

void xbng_pool_view_init(struct xbng_pool_view *v,
			 const struct xbng_pool_meter *m)
{
	memset(v, 0, sizeof(*v));
	v->now_ms = now_ms();
	v->squeeze_until_ms = atomic64_read(&squeeze_until_ms);
	v->idle_ms = READ_ONCE(xbng_pool_idle_ms);
	v->in_use = m->in_use;
	v->demand = xbng_meter_demand(m, v->now_ms,
				      READ_ONCE(xbng_half_life_ms));
}

void xbng_pool_meter_fold(struct xbng_pool_meter *m)
{
	xbng_meter_fold(m, now_ms(), READ_ONCE(xbng_half_life_ms));
}

void xbng_pool_meter_reset(struct xbng_pool_meter *m)
{
	xbng_meter_reset(m, now_ms());
}

/*
 * The page pool's view.  Free pages never expire by age alone: under
 * static they cost nothing on unpopulated-alloc kernels (the stock
 * behaviour); the idle policies empty them instead.
 */
static void pool_view(const struct xbng_pool *pool, struct xbng_pool_view *v)
{
	xbng_pool_view_init(v, &pool->meter);
	v->free = pool->free;
	v->cap = READ_ONCE(xbng_max_buffer_pages);
	v->last_busy_ms = pool->last_busy_ms;
}

/* @n free pages given back to dom0: by the policy, or to pressure. */
static void trace_pages_free(struct xbng_pool *pool, unsigned long n,
			     bool pressure)
{
	u64 bytes = (u64)n * pool->page_cost;

	if (pressure)
		trace_xbng_pool_squeeze(pool->domain->domid, pool->trace_dev,
					pool->trace_queue,
					XBNG_TRACE_POOL_PAGES, n, bytes);
	else
		trace_xbng_pool_release(pool->domain->domid, pool->trace_dev,
					pool->trace_queue,
					XBNG_TRACE_POOL_PAGES, n, bytes);
}

/* Trim to the policy's target after adding @added pages; accounts both. */
static void pool_settle(struct xbng_pool *pool, unsigned long added)
{
	const struct xbng_pool_policy *pol = xbng_pool_active(pool);
	struct xbng_pool_view v;
	unsigned long shed;

	spin_lock(&pool->lock);
	pool_view(pool, &v);
	shed = pool_shed_locked(pool, pool->free - xbng_pool_excess(pol, &v));
	spin_unlock(&pool->lock);

	account_free(pool, (long)added - (long)shed);
	if (shed) {
		ACCOUNT(pool, released, shed);
		trace_pages_free(pool, shed, false);
		schedule_work(&graveyard_work);
	}
}

void xbng_pool_count(struct xbng_pool_stats *dev_stats, size_t count_offset,
		     long items, long bytes)
{
	struct xbng_pool_stats *st[] = { dev_stats, &xbng_global_pool_stats };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		struct xbng_pool_count *c = (void *)((char *)st[i] +
						     count_offset);
		long now = atomic_long_add_return(items, &c->held);

		atomic_long_add(bytes, &c->bytes);
		if (items > 0) {
			atomic64_add(items, &c->allocated);
			xbng_raise_high_water(&c->high_water, now);
		} else {
			atomic64_add(-items, &c->released);
		}
	}
}

void xbng_pool_init(struct xbng_pool *pool, struct xbng_pool_stats *stats,
		    const struct xbng_pool_policy *const *dev_policy,
		    struct xbng_domain *domain, unsigned long floor_pages,
		    size_t page_cost)
{
	pool->dev_policy = dev_policy;
	pool->domain = domain;
	pool->owned = 0;
	pool->floor_pages = floor_pages;
	pool->page_cost = page_cost;
	spin_lock_init(&pool->lock);
	gnttab_page_cache_init(&pool->cache);
	pool->free = 0;
	memset(&pool->meter, 0, sizeof(pool->meter));
	pool->meter.stamp_ms = now_ms();
	pool->idle_items = 0;
	pool->last_busy_ms = now_ms();
	pool->dev_stats = stats;

	spin_lock(&all_pools_lock);
	list_add(&pool->node, &all_pools);
	nr_pools++;
	spin_unlock(&all_pools_lock);
}

/*
 * Give every free page back; returns how many.  After pressure the demand
 * seen so far is forgotten too: the pool regrows only as the load asks.
 */
static unsigned long pool_empty(struct xbng_pool *pool)
{
	unsigned long shed;

	spin_lock(&pool->lock);
	shed = pool_shed_locked(pool, 0);
	xbng_pool_meter_reset(&pool->meter);
	spin_unlock(&pool->lock);

	if (shed) {
		account_free(pool, -(long)shed);
		ACCOUNT(pool, released, shed);
		schedule_work(&graveyard_work);
	}
	return shed;
}

void xbng_pool_destroy(struct xbng_pool *pool)
{
	unsigned long n;

	spin_lock(&all_pools_lock);
	list_del(&pool->node);
	nr_pools--;
	spin_unlock(&all_pools_lock);

	n = pool_empty(pool);
	if (n)
		trace_pages_free(pool, n, false);
	WARN_ONCE(pool->owned, PFX "%lu grant pages not given back\n",
		  pool->owned);
}

u64 xbng_pool_squeeze(struct xbng_pool *pool)
{
	unsigned long n;
	long ns;

	if (!xbng_pool_active(pool)->release_on_pressure)
		return 0;
	n = pool_empty(pool);
	if (n)
		trace_pages_free(pool, n, true);
	ns = ktime_get_ns() - atomic64_read(&pressure_start_ns);
	xbng_raise_high_water(&pool->dev_stats->last_release_ns, ns);
	xbng_raise_high_water(&xbng_global_pool_stats.last_release_ns, ns);
	return ns;
}

int xbng_pool_get(struct xbng_pool *pool, struct page **pages, unsigned int n)
{
	unsigned int got = 0, need;
	int err = 0;

	if (fault_page_alloc())
		return -ENOMEM;
	spin_lock(&pool->lock);
	while (got < n && pool->free) {
		if (gnttab_page_cache_get(&pool->cache, &pages[got]))
			break;
		pool->free--;
		got++;
	}
	xbng_meter_take(&pool->meter, got);
	/* The pages still missing are owned, and paid for, before they exist. */
	need = n - got;
	if (need && pool_own_locked(pool, need))
		xbng_meter_take(&pool->meter, need);
	else if (need)
		err = -EDQUOT;
	pool->last_busy_ms = now_ms();
	spin_unlock(&pool->lock);
	if (got)
		account_free(pool, -(long)got);
	if (err)
		goto put_back;
	if (!need)
		goto taken;

	err = gnttab_alloc_pages(need, pages + got);
	if (err) {
		spin_lock(&pool->lock);
		pool_own_locked(pool, -(long)need);
		xbng_meter_return(&pool->meter, need);
		spin_unlock(&pool->lock);
		goto put_back;
	}
	ACCOUNT(pool, allocated, need);
taken:
	trace_xbng_pool_take(pool->domain->domid, pool->trace_dev,
			     pool->trace_queue, XBNG_TRACE_POOL_PAGES, n,
			     (u64)need * pool->page_cost);
	return 0;

put_back:
	xbng_pool_put(pool, pages, got);
	return err;
}

void xbng_pool_put(struct xbng_pool *pool, struct page **pages, unsigned int n)
{
	if (!n)
		return;
	spin_lock(&pool->lock);
	gnttab_page_cache_put(&pool->cache, pages, n);
	pool->free += n;
	xbng_meter_return(&pool->meter, n);
	spin_unlock(&pool->lock);
	pool_settle(pool, n);
}

void xbng_pool_tick(struct xbng_pool *pool, u64 busy_ms)
{
	spin_lock(&pool->lock);
	if ((s64)(busy_ms - pool->last_busy_ms) > 0)
		pool->last_busy_ms = busy_ms;
	xbng_pool_meter_fold(&pool->meter);
	spin_unlock(&pool->lock);
	pool_settle(pool, 0);
}

/*
 * A pressure signal keeps the pools squeezed for squeeze_duration_ms from
 * now; returns whether it begins a new event.
 */
static bool pool_pressure_signal(void)
{
	u64 now = now_ms();
	u64 last = atomic64_xchg(&last_signal_ms, now);

	atomic64_set(&squeeze_until_ms,
		     now + READ_ONCE(xbng_squeeze_duration_ms));
	return !last || now - last >= XBNG_PRESSURE_EVENT_MS;
}

/* Shed @pool (locked) down to @keep free pages, accounted as released. */
static unsigned long pool_shed_counted(struct xbng_pool *pool,
				       unsigned long keep)
{
	unsigned long n = pool_shed_locked(pool, keep);

	if (n) {
		account_free(pool, -(long)n);
		ACCOUNT(pool, released, n);
	}
	return n;
}

/*
 * A pressure event, once however many signals it comes as: every pool
 * whose policy says so forgets its demand and, with @empty, gives back its
 * free pages now; their owners release their other pools from their own
 * threads.  One walk over the pools, so time linear in the number of rings.
 * Returns the pages given back.
 */
static unsigned long pool_event(bool empty)
{
	ktime_t start = ktime_get();
	struct xbng_pool *pool;
	unsigned long total = 0;
	unsigned int pools = 0;
	bool acted = xbng_pool_policy()->release_on_pressure;

	spin_lock(&all_pools_lock);
	pressure_seq++;
	atomic64_set(&pressure_start_ns, ktime_to_ns(start));
	atomic_long_set(&xbng_global_pool_stats.last_release_ns, 0);
	list_for_each_entry(pool, &all_pools, node) {
		struct xbng_pool_stats *st = pool->dev_stats;
		unsigned long n = 0;

		if (!xbng_pool_active(pool)->release_on_pressure)
			continue;
		acted = true;
		spin_lock(&pool->lock);
		if (empty)
			n = pool_shed_counted(pool, 0);
		xbng_pool_meter_reset(&pool->meter);
		spin_unlock(&pool->lock);
		if (pool->on_pressure)
			pool->on_pressure(pool);

		/* Each device counts the event once however many rings. */
		if (st->pressure_seq != pressure_seq) {
			st->pressure_seq = pressure_seq;
			atomic64_inc(&st->pressure_events);
			atomic_long_set(&st->last_release_ns, 0);
		}
		if (n) {
			ACCOUNT(pool, squeezes, 1);
			trace_pages_free(pool, n, true);
		}
		pools++;
		total += n;
	}
	spin_unlock(&all_pools_lock);

	if (!acted)
		return 0;
	atomic64_inc(&xbng_global_pool_stats.pressure_events);
	atomic64_set(&xbng_global_pool_stats.last_squeeze_ns,
		     ktime_to_ns(ktime_sub(ktime_get(), start)));
	trace_xbng_pressure(total, pools,
			    atomic64_read(&xbng_global_pool_stats.last_squeeze_ns));
	if (total)
		schedule_work(&graveyard_work);
	return total;
}

/*
 * xenbus's reclaim_memory, once per backend device: the first call of an
 * event empties the pools, the others only keep them squeezed.
 */
void xbng_pool_pressure(void)
{
	if (pool_pressure_signal())
		pool_event(true);
}

/*
 * What a pressure event would release: the free pages, idle descriptors and
 * idle persistent grants of every pool whose policy releases on pressure.
 * Counting the last two matters: with persistent grants the page pools are
 * often empty, and a count of 0 means reclaim never calls the scan.
 */
static unsigned long pool_shrink_count(struct shrinker *s,
				       struct shrink_control *sc)
{
	struct xbng_pool *pool;
	unsigned long n = 0;

	spin_lock(&all_pools_lock);
	list_for_each_entry(pool, &all_pools, node)
		if (xbng_pool_active(pool)->release_on_pressure)
			n += READ_ONCE(pool->free) + READ_ONCE(pool->idle_items);
	spin_unlock(&all_pools_lock);
	return n;
}

/*
 * Up to nr_to_scan free pages, from the pools whose policy releases on
 * pressure, each pool in turn: the walk starts after the pool the last
 * scan stopped at, so that no pool pays for every scan.
 */
static unsigned long pool_shrink_scan(struct shrinker *s,
				      struct shrink_control *sc)
{
	unsigned long left = sc->nr_to_scan, freed = 0, i;
	struct xbng_pool *pool;

	if (pool_pressure_signal())
		pool_event(false);
	spin_lock(&all_pools_lock);
	for (i = 0; i < nr_pools && freed < left; i++) {
		pool = list_first_entry(&all_pools, struct xbng_pool, node);
		list_move_tail(&pool->node, &all_pools);
		if (!xbng_pool_active(pool)->release_on_pressure)
			continue;
		spin_lock(&pool->lock);
		freed += pool_shed_counted(pool, pool->free -
					   min(pool->free, left - freed));
		spin_unlock(&pool->lock);
	}
	spin_unlock(&all_pools_lock);
	if (freed)
		schedule_work(&graveyard_work);
	return freed ? freed : SHRINK_STOP;
}

int xbng_pool_module_init(void)
{
	gnttab_page_cache_init(&graveyard);
	pool_shrinker = xbng_shrinker_create("xen-blkback-ng-pool",
					     pool_shrink_count,
					     pool_shrink_scan);
	return pool_shrinker ? 0 : -ENOMEM;
}

void xbng_pool_module_exit(void)
{
	xbng_shrinker_destroy(pool_shrinker);
	flush_work(&graveyard_work);
	gnttab_page_cache_shrink(&graveyard, 0);
}

bool xbng_pool_pages_cost_ram(void)
{
	/*
	 * With unpopulated-alloc, grant target pages are ZONE_DEVICE pages
	 * with no RAM behind them; otherwise each is a ballooned-out page
	 * of dom0 memory.
	 */
	return !IS_ENABLED(CONFIG_XEN_UNPOPULATED_ALLOC) ||
	       READ_ONCE(xbng_test_pages_cost_ram);
}

size_t xbng_pool_page_cost(void)
{
	/* Without RAM behind it, a page still has its struct page. */
	return xbng_pool_pages_cost_ram() ? PAGE_SIZE : sizeof(struct page);
}

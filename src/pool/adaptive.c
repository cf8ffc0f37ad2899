// SPDX-License-Identifier: GPL-2.0
/*
 * "adaptive": each pool keeps what the ring recently needed, no more.
 *
 * The demand on a pool is the high-water mark of its items in use (pages
 * mapped, descriptors taken, persistent grants serving a request), decaying
 * exponentially with a half-life of pool_adaptive_half_life_ms.  The pool
 * may keep demand - in_use idle items: enough that the next burst as large
 * as the recent ones finds every item ready, so steady I/O allocates
 * nothing and costs what static costs (the bookkeeping is one compare per
 * take, and the decay runs once a second per ring, not per request).
 * When the load drops, the mark halves every half-life and the excess goes
 * back a little at a time, so a short lull does not throw away what the
 * next burst needs; when the ring is idle for pool_idle_ms everything goes
 * (as under "idle"), so an idle disk holds nothing whatever its past.  A
 * pressure event empties the pools at once, keeps them empty for the
 * squeeze window (as under "squeeze") and resets the mark to what is in
 * use, so the pools regrow only as the load asks again.
 *
 * Why not static's cap or a fixed window: the cap is what a frontend
 * could ask for (order-4 rings, 256 segments), many times what it keeps
 * in flight; a plain idle timeout keeps the whole peak for the whole
 * timeout after one burst.  A decaying mark follows the load both ways
 * with one parameter and O(1) state per pool.
 */
#include "policy.h"

#define XBNG_DECAY_MAX	0xffffffffUL

unsigned long xbng_decay(unsigned long v, u64 elapsed_ms,
			 unsigned int half_life_ms)
{
	u64 frac;

	if (v > XBNG_DECAY_MAX)
		v = XBNG_DECAY_MAX;
	if (!half_life_ms)
		return elapsed_ms ? 0 : v;
	/* Whole half-lives: one shift each; 32 of them empty any value. */
	while (v && elapsed_ms >= half_life_ms) {
		v >>= 1;
		elapsed_ms -= half_life_ms;
	}
	/* The rest, < one half-life: v * (1 - elapsed / (2 * half_life)). */
	frac = div64_u64((u64)v * elapsed_ms, 2 * (u64)half_life_ms);
	return v - (unsigned long)frac;
}

static u64 since(u64 now_ms, u64 stamp_ms)
{
	u64 d = now_ms - stamp_ms;

	/* Unsigned: right across a wrap; "negative" is a race, not time. */
	return (s64)d < 0 ? 0 : d;
}

unsigned long xbng_meter_demand(const struct xbng_pool_meter *m, u64 now_ms,
				unsigned int half_life_ms)
{
	unsigned long d = xbng_decay(m->demand, since(now_ms, m->stamp_ms),
				     half_life_ms);

	return d > m->peak ? d : m->peak;
}

void xbng_meter_fold(struct xbng_pool_meter *m, u64 now_ms,
		     unsigned int half_life_ms)
{
	m->demand = xbng_meter_demand(m, now_ms, half_life_ms);
	m->peak = m->in_use;
	m->stamp_ms = now_ms;
}

void xbng_meter_reset(struct xbng_pool_meter *m, u64 now_ms)
{
	m->demand = m->in_use;
	m->peak = m->in_use;
	m->stamp_ms = now_ms;
}

static unsigned long xbng_adaptive_target(const struct xbng_pool_view *v)
{
	if (xbng_pool_in_squeeze(v) || xbng_pool_idle_for(v, v->idle_ms))
		return 0;
	return v->demand > v->in_use ? v->demand - v->in_use : 0;
}

const struct xbng_pool_policy xbng_policy_adaptive = {
	.name = "adaptive",
	.target = xbng_adaptive_target,
	.release_on_pressure = true,
};

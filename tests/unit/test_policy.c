// SPDX-License-Identifier: GPL-2.0
/* Pool policies: registry and targets over time (src/pool/). */
#include <limits.h>
#include <stdint.h>

#include "harness.h"
#include "../../src/pool/policy.h"

TEST(policy_find_exact_names)
{
	CHECK(xbng_policy_find("static") == &xbng_policy_static);
	CHECK(xbng_policy_find("squeeze") == &xbng_policy_squeeze);
	CHECK(xbng_policy_find("idle") == &xbng_policy_idle);
	CHECK(xbng_policy_find("adaptive") == &xbng_policy_adaptive);
}

TEST(policy_find_one_trailing_newline)
{
	CHECK(xbng_policy_find("squeeze\n") == &xbng_policy_squeeze);
	CHECK(xbng_policy_find("static\n") == &xbng_policy_static);
	CHECK(xbng_policy_find("idle\n") == &xbng_policy_idle);
	CHECK(xbng_policy_find("adaptive\n") == &xbng_policy_adaptive);
}

TEST(policy_find_rejects)
{
	static const char *const bad[] = {
		"squeez", "", "static ", " static", "squeeze\n\n", "\n",
		"SQUEEZE", "squeezed", "idle\r\n", "stat", "static\t",
		"static\nx", "[static]", "adaptiv", "adaptive ", "default",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (xbng_policy_find(bad[i]))
			xt_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	CHECK(!xbng_policy_find(NULL));
}

/* Like the stock driver since 5.6, the default gives pages back. */
TEST(policy_default_is_squeeze)
{
	CHECK(&xbng_policy_squeeze == XBNG_DEFAULT_POLICY);
	CHECK(XBNG_DEFAULT_POLICY->release_on_pressure);
	CHECK(!xbng_policy_static.release_on_pressure);
	CHECK(xbng_policy_squeeze.release_on_pressure);
	CHECK(xbng_policy_idle.release_on_pressure);
	CHECK(xbng_policy_adaptive.release_on_pressure);
}

TEST(policy_list_brackets_active)
{
	char buf[64];

	CHECK_EQ(xbng_policy_list(buf, sizeof(buf), &xbng_policy_static), 31);
	CHECK_STR(buf, "[static] squeeze idle adaptive\n");
	xbng_policy_list(buf, sizeof(buf), &xbng_policy_squeeze);
	CHECK_STR(buf, "static [squeeze] idle adaptive\n");
	xbng_policy_list(buf, sizeof(buf), &xbng_policy_idle);
	CHECK_STR(buf, "static squeeze [idle] adaptive\n");
	xbng_policy_list(buf, sizeof(buf), &xbng_policy_adaptive);
	CHECK_STR(buf, "static squeeze idle [adaptive]\n");
	CHECK_EQ(xbng_policy_list(buf, sizeof(buf), NULL), 29);
	CHECK_STR(buf, "static squeeze idle adaptive\n");
}

TEST(policy_list_truncates_safely)
{
	char buf[64];
	size_t len;

	for (len = 1; len <= 32; len++) {
		int n;

		memset(buf, 'Z', sizeof(buf));
		n = xbng_policy_list(buf, len, &xbng_policy_static);
		CHECK_EQ(n, len - 1);
		CHECK_EQ(strlen(buf), len - 1);
		CHECK(!strncmp(buf, "[static] squeeze idle adaptive\n",
			       len - 1));
		CHECK_EQ(buf[len], 'Z');
	}
	CHECK_EQ(xbng_policy_list(buf, 0, &xbng_policy_static), 0);
	CHECK_EQ(xbng_policy_list(NULL, 0, NULL), 0);
}

static struct xbng_pool_view view(u64 now, u64 busy, u64 until, u64 idle)
{
	struct xbng_pool_view v = {
		.free = 100,
		.cap = 64,
		.now_ms = now,
		.last_busy_ms = busy,
		.squeeze_until_ms = until,
		.idle_ms = idle,
	};
	return v;
}

TEST(policy_static_target)
{
	struct xbng_pool_view v = view(1000, 0, 5000, 10);

	CHECK_EQ(xbng_policy_static.target(&v), 64);
	v = view(UINT64_MAX, 0, 0, 0);
	CHECK_EQ(xbng_policy_static.target(&v), 64);
	CHECK_EQ(xbng_pool_excess(&xbng_policy_static, &v), 36);
}

TEST(policy_squeeze_target_window)
{
	struct xbng_pool_view v = view(1000, 1000, 1010, 0);

	CHECK_EQ(xbng_policy_squeeze.target(&v), 0);
	v.now_ms = 1009;
	CHECK_EQ(xbng_policy_squeeze.target(&v), 0);
	v.now_ms = 1010;
	CHECK_EQ(xbng_policy_squeeze.target(&v), 64);
	v.now_ms = 5000000;
	CHECK_EQ(xbng_policy_squeeze.target(&v), 64);
	/* Never squeezed: until = 0. */
	v = view(12345, 0, 0, 0);
	CHECK_EQ(xbng_policy_squeeze.target(&v), 64);
}

TEST(pgrant_recent_kept_unless_pressure)
{
	struct xbng_pool_view v = view(1000, 1000, 0, 0);

	/* Steady state: only grants idle for a while may go. */
	CHECK_EQ(xbng_pgrant_min_idle_ms(&v), XBNG_PGRANT_RECENT_MS);
	/* A pressure event being handled, then its window: any idle grant. */
	v.pressure = true;
	CHECK_EQ(xbng_pgrant_min_idle_ms(&v), 0);
	v.pressure = false;
	v.squeeze_until_ms = 1010;
	CHECK_EQ(xbng_pgrant_min_idle_ms(&v), 0);
	v.now_ms = 1010;
	CHECK_EQ(xbng_pgrant_min_idle_ms(&v), XBNG_PGRANT_RECENT_MS);
}

TEST(policy_squeeze_wraparound)
{
	/* The window end wrapped past 2^64, now has not yet. */
	struct xbng_pool_view v = view(UINT64_MAX - 5, 0, 4, 0);

	CHECK_EQ(xbng_policy_squeeze.target(&v), 0);
	/* Both wrapped, past the end. */
	v.now_ms = 4;
	CHECK_EQ(xbng_policy_squeeze.target(&v), 64);
	/* now wrapped, the window ended before the wrap. */
	v = view(3, 0, UINT64_MAX - 5, 0);
	CHECK_EQ(xbng_policy_squeeze.target(&v), 64);
}

TEST(policy_idle_target)
{
	struct xbng_pool_view v = view(1000, 950, 0, 100);

	CHECK_EQ(xbng_policy_idle.target(&v), 64);
	v.now_ms = 1049;
	CHECK_EQ(xbng_policy_idle.target(&v), 64);
	v.now_ms = 1050;
	CHECK_EQ(xbng_policy_idle.target(&v), 0);
	v.now_ms = 999999;
	CHECK_EQ(xbng_policy_idle.target(&v), 0);
	CHECK_EQ(xbng_pool_excess(&xbng_policy_idle, &v), 100);
}

TEST(policy_idle_squeezes_too)
{
	/* Busy, but inside a pressure window: empty like squeeze. */
	struct xbng_pool_view v = view(1000, 1000, 1010, 100);

	CHECK_EQ(xbng_policy_idle.target(&v), 0);
	v.now_ms = 1010;
	CHECK_EQ(xbng_policy_idle.target(&v), 64);
}

TEST(policy_idle_wraparound)
{
	/* last busy just before the clock wrapped, now 16 ms later. */
	struct xbng_pool_view v = view(5, UINT64_MAX - 10, 0, 100);

	CHECK_EQ(xbng_policy_idle.target(&v), 64);
	v.idle_ms = 16;
	CHECK_EQ(xbng_policy_idle.target(&v), 0);
	v.idle_ms = 17;
	CHECK_EQ(xbng_policy_idle.target(&v), 64);
}

TEST(policy_idle_busy_stamp_after_now)
{
	/* A ring stamped busy after the snapshot of now: not idle. */
	struct xbng_pool_view v = view(1000, 1003, 0, 100);

	CHECK_EQ(xbng_policy_idle.target(&v), 64);
	v.idle_ms = 0;
	CHECK_EQ(xbng_policy_idle.target(&v), 64);
	/* idle_ms 0: idle as soon as not busy. */
	v.last_busy_ms = 1000;
	CHECK_EQ(xbng_policy_idle.target(&v), 0);
}

TEST(policy_excess)
{
	struct xbng_pool_view v = view(0, 0, 0, 0);

	v.free = 10;
	v.cap = 4;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_static, &v), 6);
	v.free = 3;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_static, &v), 0);
	v.free = 4;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_static, &v), 0);
	v.free = 7;
	v.squeeze_until_ms = 10;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_squeeze, &v), 7);
	v.free = 0;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_squeeze, &v), 0);
}

TEST(budget_zero_is_unlimited)
{
	CHECK(xbng_budget_allows(0, 1, 0));
	CHECK(xbng_budget_allows(ULONG_MAX, ULONG_MAX, 0));
}

TEST(budget_allows_up_to_the_limit)
{
	CHECK(xbng_budget_allows(0, 4096, 4096));
	CHECK(xbng_budget_allows(1024, 3072, 4096));
	CHECK(!xbng_budget_allows(1024, 3073, 4096));
	CHECK(!xbng_budget_allows(4096, 1, 4096));
	CHECK(xbng_budget_allows(4096, 0, 4096));
}

TEST(budget_never_wraps)
{
	/* used + add would wrap to a small number: must still be refused. */
	CHECK(!xbng_budget_allows(ULONG_MAX - 10, 20, 4096));
	CHECK(!xbng_budget_allows(10, ULONG_MAX, 4096));
	/* Over budget already (budget lowered at run time): nothing more. */
	CHECK(!xbng_budget_allows(8192, 1, 4096));
	CHECK(xbng_budget_allows(8192, 0, 0));
}

/* A ring's floor pays for its first pages; the budget for the rest. */
TEST(budget_pages_within_the_floor_are_free)
{
	CHECK_EQ(xbng_budget_page_charge(0, 100, 1056), 0);
	CHECK_EQ(xbng_budget_page_charge(1000, 56, 1056), 0);
	CHECK_EQ(xbng_budget_page_refund(1056, 1056, 1056), 0);
}

TEST(budget_pages_past_the_floor_are_charged)
{
	CHECK_EQ(xbng_budget_page_charge(1000, 100, 1056), 44);
	CHECK_EQ(xbng_budget_page_charge(2000, 100, 1056), 100);
	CHECK_EQ(xbng_budget_page_refund(1100, 100, 1056), 44);
	CHECK_EQ(xbng_budget_page_refund(2000, 100, 1056), 100);
	/* No floor: every page is charged. */
	CHECK_EQ(xbng_budget_page_charge(0, 7, 0), 7);
}

TEST(budget_pages_charge_and_refund_balance)
{
	unsigned long owned = 0, charged = 0, floor = 300, i;
	static const unsigned long steps[] = { 100, 250, 7, 600, 1 };

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		charged += xbng_budget_page_charge(owned, steps[i], floor);
		owned += steps[i];
	}
	CHECK_EQ(charged, owned - floor);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		charged -= xbng_budget_page_refund(owned, steps[i], floor);
		owned -= steps[i];
	}
	CHECK_EQ(charged, 0);
	CHECK_EQ(owned, 0);
}

TEST(budget_pages_never_wrap)
{
	CHECK_EQ(xbng_budget_page_charge(ULONG_MAX - 1, 10, 0), 1);
	/* More given back than owned: only what was owned. */
	CHECK_EQ(xbng_budget_page_refund(5, 10, 0), 5);
	CHECK_EQ(xbng_budget_page_refund(5, 10, 3), 2);
}

/* --- the rules every policy shares (xbng_pool_target) --- */

static const struct xbng_pool_policy *const all_policies[] = {
	&xbng_policy_static, &xbng_policy_squeeze, &xbng_policy_idle,
	&xbng_policy_adaptive,
};

TEST(target_pressure_empties_releasing_policies)
{
	struct xbng_pool_view v = view(1000, 1000, 0, 100000);
	unsigned int i;

	v.pressure = true;
	CHECK_EQ(xbng_pool_target(&xbng_policy_static, &v), 64);
	CHECK_EQ(xbng_pool_target(&xbng_policy_squeeze, &v), 0);
	CHECK_EQ(xbng_pool_target(&xbng_policy_idle, &v), 0);
	v.demand = 64;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	CHECK_EQ(xbng_pool_excess(&xbng_policy_squeeze, &v), 100);
	/* Outside a pressure event the same pools keep their cap. */
	v.pressure = false;
	for (i = 0; i < ARRAY_SIZE(all_policies); i++)
		CHECK_EQ(xbng_pool_target(all_policies[i], &v), 64);
}

TEST(target_expire_applies_to_every_policy)
{
	/* Busy at 1000, expires after 10 s; idle_ms far away. */
	struct xbng_pool_view v = view(1000, 1000, 0, 1000000);
	unsigned int i;

	v.demand = 1000;
	v.expire_ms = 10000;
	for (i = 0; i < ARRAY_SIZE(all_policies); i++) {
		const struct xbng_pool_policy *p = all_policies[i];

		v.now_ms = 10999;
		CHECK_EQ(xbng_pool_target(p, &v), 64);
		v.now_ms = 11000;
		CHECK_EQ(xbng_pool_target(p, &v), 0);
		CHECK_EQ(xbng_pool_excess(p, &v), 100);
	}
	/* expire_ms 0: never, however long idle (the page pool, static). */
	v.expire_ms = 0;
	v.now_ms = UINT64_MAX / 2;
	CHECK_EQ(xbng_pool_target(&xbng_policy_static, &v), 64);
}

TEST(target_expire_across_clock_wrap)
{
	/* Busy 10 ms before the wrap, now 20 ms after it: 30 ms idle. */
	struct xbng_pool_view v = view(19, UINT64_MAX - 10, 0, 1000000);

	v.expire_ms = 31;
	CHECK_EQ(xbng_pool_target(&xbng_policy_static, &v), 64);
	v.expire_ms = 30;
	CHECK_EQ(xbng_pool_target(&xbng_policy_static, &v), 0);
	/* Stamped busy after now was read: never expired. */
	v = view(1000, 1001, 0, 1000000);
	v.expire_ms = 1;
	CHECK_EQ(xbng_pool_target(&xbng_policy_static, &v), 64);
}

TEST(target_never_exceeds_cap)
{
	struct xbng_pool_view v = view(1000, 1000, 0, 100000);
	unsigned int i;

	v.demand = 1000;
	v.cap = 0;
	for (i = 0; i < ARRAY_SIZE(all_policies); i++) {
		CHECK_EQ(xbng_pool_target(all_policies[i], &v), 0);
		CHECK_EQ(xbng_pool_excess(all_policies[i], &v), 100);
	}
	v.cap = ULONG_MAX;
	v.free = ULONG_MAX;
	CHECK_EQ(xbng_pool_excess(&xbng_policy_static, &v), 0);
}

TEST(helpers_squeeze_and_idle)
{
	struct xbng_pool_view v = view(1000, 990, 1001, 0);

	CHECK(xbng_pool_in_squeeze(&v));
	v.now_ms = 1001;
	CHECK(!xbng_pool_in_squeeze(&v));
	CHECK(xbng_pool_idle_for(&v, 11));
	CHECK(!xbng_pool_idle_for(&v, 12));
	CHECK(xbng_pool_idle_for(&v, 0));
	v.last_busy_ms = 1002;
	CHECK(!xbng_pool_idle_for(&v, 0));
}

/* --- adaptive: the decay, the meter and the target --- */

TEST(decay_halves_per_half_life)
{
	CHECK_EQ(xbng_decay(1024, 0, 1000), 1024);
	CHECK_EQ(xbng_decay(1024, 1000, 1000), 512);
	CHECK_EQ(xbng_decay(1024, 2000, 1000), 256);
	CHECK_EQ(xbng_decay(1024, 10000, 1000), 1);
	CHECK_EQ(xbng_decay(1024, 11000, 1000), 0);
	CHECK_EQ(xbng_decay(0, 500, 1000), 0);
	CHECK_EQ(xbng_decay(1, 999, 1000), 1);
	CHECK_EQ(xbng_decay(1, 1000, 1000), 0);
}

TEST(decay_between_half_lives_is_linear_and_above_exact)
{
	/* x = 0.5: 1 - x/2 = 0.75 (exact 0.7071). */
	CHECK_EQ(xbng_decay(1000, 500, 1000), 750);
	/* 1.25 half-lives: 500 * (1 - 0.125) = 437.5, kept whole. */
	CHECK_EQ(xbng_decay(1000, 1250, 1000), 438);
	/* Never increases, never drops by more than half per half-life. */
	{
		unsigned long prev = 4096, v;
		u64 t;

		for (t = 0; t <= 20000; t += 7) {
			v = xbng_decay(4096, t, 1000);
			CHECK(v <= prev);
			CHECK(v + 1 >= xbng_decay(4096, t + 1000, 1000) * 2);
			prev = v;
		}
	}
}

TEST(decay_bounds)
{
	/* Huge values clamp to 2^32 - 1; nothing overflows. */
	CHECK_EQ(xbng_decay(ULONG_MAX, 0, 1000), 0xffffffffUL);
	CHECK_EQ(xbng_decay(ULONG_MAX, 1000, 1000), 0x7fffffffUL);
	CHECK_EQ(xbng_decay(0xffffffffUL, 0xfffffffeULL, 0xffffffffU),
		 0x80000000UL);
	/* Any value is gone after 32 half-lives, however long the idle. */
	CHECK_EQ(xbng_decay(ULONG_MAX, 32000, 1000), 0);
	CHECK_EQ(xbng_decay(ULONG_MAX, UINT64_MAX, 1), 0);
	CHECK_EQ(xbng_decay(5, UINT64_MAX, 0xffffffffU), 0);
	/* Half-life 0: forget at once, but not without time passing. */
	CHECK_EQ(xbng_decay(77, 1, 0), 0);
	CHECK_EQ(xbng_decay(77, 0, 0), 77);
}

TEST(meter_take_return_peak)
{
	struct xbng_pool_meter m = { 0 };

	xbng_meter_take(&m, 3);
	xbng_meter_take(&m, 5);
	CHECK_EQ(m.in_use, 8);
	CHECK_EQ(m.peak, 8);
	xbng_meter_return(&m, 6);
	CHECK_EQ(m.in_use, 2);
	CHECK_EQ(m.peak, 8);
	/* Returning more than taken never wraps. */
	xbng_meter_return(&m, 5);
	CHECK_EQ(m.in_use, 0);
}

TEST(meter_fold_and_demand)
{
	struct xbng_pool_meter m = { .stamp_ms = 1000 };

	xbng_meter_take(&m, 100);
	xbng_meter_return(&m, 100);
	/* The peak counts at once, before any fold. */
	CHECK_EQ(xbng_meter_demand(&m, 1000, 1000), 100);
	xbng_meter_fold(&m, 2000, 1000);
	CHECK_EQ(m.demand, 100);
	CHECK_EQ(m.peak, 0);
	CHECK_EQ(m.stamp_ms, 2000);
	CHECK_EQ(xbng_meter_demand(&m, 3000, 1000), 50);
	xbng_meter_fold(&m, 3000, 1000);
	xbng_meter_fold(&m, 4000, 1000);
	CHECK_EQ(m.demand, 25);
	/* A new peak above the decayed mark replaces it. */
	xbng_meter_take(&m, 40);
	CHECK_EQ(xbng_meter_demand(&m, 4000, 1000), 40);
	xbng_meter_fold(&m, 5000, 1000);
	CHECK_EQ(m.demand, 40);
	/* The fold starts the new period at what is in use. */
	CHECK_EQ(m.peak, 40);
	xbng_meter_reset(&m, 6000);
	CHECK_EQ(m.demand, 40);
	xbng_meter_return(&m, 40);
	xbng_meter_reset(&m, 6000);
	CHECK_EQ(m.demand, 0);
	CHECK_EQ(m.peak, 0);
}

TEST(meter_clock_wrap_and_race)
{
	/* Folded 500 ms before the wrap, asked 500 ms after: 1 half-life. */
	struct xbng_pool_meter m = { .demand = 64,
				     .stamp_ms = UINT64_MAX - 499 };

	CHECK_EQ(xbng_meter_demand(&m, 500, 1000), 32);
	/* now read before the stamp (another CPU folded): no decay. */
	m.stamp_ms = 1000;
	CHECK_EQ(xbng_meter_demand(&m, 999, 1000), 64);
	xbng_meter_fold(&m, 999, 1000);
	CHECK_EQ(m.demand, 64);
}

static struct xbng_pool_view aview(unsigned long in_use, unsigned long demand)
{
	struct xbng_pool_view v = view(10000, 9990, 0, 3000);

	v.in_use = in_use;
	v.demand = demand;
	return v;
}

TEST(adaptive_keeps_recent_demand)
{
	struct xbng_pool_view v = aview(0, 40);

	/* Idle items for the whole recent peak, above what is in use. */
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 40);
	CHECK_EQ(xbng_pool_excess(&xbng_policy_adaptive, &v), 60);
	v = aview(30, 40);
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 10);
	v = aview(50, 40);
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	/* Bounded by cap whatever the demand. */
	v = aview(0, 1000000);
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 64);
	/* No demand: nothing kept. */
	v = aview(0, 0);
	CHECK_EQ(xbng_pool_excess(&xbng_policy_adaptive, &v), 100);
}

TEST(adaptive_pressure_window)
{
	struct xbng_pool_view v = aview(0, 40);

	v.squeeze_until_ms = 10010;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	v.now_ms = 10009;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	v.now_ms = 10010;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 40);
	/* The window across a wrap of the clock. */
	v.now_ms = UINT64_MAX - 2;
	v.last_busy_ms = UINT64_MAX - 3;
	v.squeeze_until_ms = 7;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	v.now_ms = 7;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 40);
}

TEST(adaptive_returns_everything_when_idle)
{
	struct xbng_pool_view v = aview(0, 40);

	v.now_ms = v.last_busy_ms + 2999;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 40);
	v.now_ms = v.last_busy_ms + 3000;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	/* Idle across a wrap of the clock. */
	v.last_busy_ms = UINT64_MAX - 999;
	v.now_ms = 2000;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 0);
	v.now_ms = 1999;
	CHECK_EQ(xbng_pool_target(&xbng_policy_adaptive, &v), 40);
}

TEST(adaptive_follows_load_down)
{
	/* A burst of 64 then nothing: the pool shrinks as the mark decays. */
	struct xbng_pool_meter m = { .stamp_ms = 0 };
	struct xbng_pool_view v = aview(0, 0);
	unsigned long prev = ULONG_MAX, t;
	u64 now;

	xbng_meter_take(&m, 64);
	xbng_meter_return(&m, 64);
	v.idle_ms = 1000000;
	v.cap = 1024;
	for (now = 1000; now <= 8000; now += 1000) {
		xbng_meter_fold(&m, now, 1000);
		v.now_ms = now;
		v.last_busy_ms = 0;
		v.demand = xbng_meter_demand(&m, now, 1000);
		t = xbng_pool_target(&xbng_policy_adaptive, &v);
		CHECK(t < prev || t == 0);
		prev = t;
	}
	CHECK_EQ(prev, 0);
}

/* --- a device's choice: a policy or "default" --- */

TEST(choose_policy_or_default)
{
	const struct xbng_pool_policy *pol = &xbng_policy_static;

	CHECK_EQ(xbng_policy_choose("adaptive\n", &pol), 0);
	CHECK(pol == &xbng_policy_adaptive);
	CHECK_EQ(xbng_policy_choose("squeeze", &pol), 0);
	CHECK(pol == &xbng_policy_squeeze);
	CHECK_EQ(xbng_policy_choose("default", &pol), 0);
	CHECK(!pol);
	pol = &xbng_policy_idle;
	CHECK_EQ(xbng_policy_choose("default\n", &pol), 0);
	CHECK(!pol);
}

TEST(choose_rejects)
{
	static const char *const bad[] = {
		"", "\n", "defaults", "defaul", "default\n\n", " default",
		"[default]", "DEFAULT", "default\r\n", "nosuch", "static ",
	};
	const struct xbng_pool_policy *pol;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (xbng_policy_choose(bad[i], &pol) != -EINVAL)
			xt_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
	CHECK_EQ(xbng_policy_choose(NULL, &pol), -EINVAL);
	CHECK(!pol);
}

TEST(list_choices_brackets_one)
{
	char buf[64];

	CHECK_EQ(xbng_policy_list_choices(buf, sizeof(buf), NULL), 39);
	CHECK_STR(buf, "static squeeze idle adaptive [default]\n");
	xbng_policy_list_choices(buf, sizeof(buf), &xbng_policy_adaptive);
	CHECK_STR(buf, "static squeeze idle [adaptive] default\n");
	xbng_policy_list_choices(buf, sizeof(buf), &xbng_policy_static);
	CHECK_STR(buf, "[static] squeeze idle adaptive default\n");
}

TEST(list_choices_truncates_safely)
{
	static const char full[] = "static squeeze idle adaptive [default]\n";
	char buf[64];
	size_t len;

	for (len = 1; len <= sizeof(full); len++) {
		int n;

		memset(buf, 'Z', sizeof(buf));
		n = xbng_policy_list_choices(buf, len, NULL);
		CHECK_EQ(n, len - 1);
		CHECK_EQ(strlen(buf), len - 1);
		CHECK(!strncmp(buf, full, len - 1));
		CHECK_EQ(buf[len], 'Z');
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The per-domain memory budget: may a domain whose devices hold @used bytes
 * of dom0 memory take @add more under a budget of @budget bytes (0 = none)?
 * Written so that no sum can wrap, whatever the operands.
 */
#include "policy.h"

bool xbng_budget_allows(unsigned long used, unsigned long add,
			unsigned long budget)
{
	if (!budget)
		return true;
	return add <= budget && used <= budget - add;
}

/* Pages beyond the floor, the ones the budget pays for. */
static unsigned long pages_over(unsigned long owned, unsigned long floor)
{
	return owned > floor ? owned - floor : 0;
}

unsigned long xbng_budget_page_charge(unsigned long owned, unsigned long add,
				      unsigned long floor)
{
	if (add > ULONG_MAX - owned)
		add = ULONG_MAX - owned;
	return pages_over(owned + add, floor) - pages_over(owned, floor);
}

unsigned long xbng_budget_page_refund(unsigned long owned, unsigned long drop,
				      unsigned long floor)
{
	if (drop > owned)
		drop = owned;
	return pages_over(owned, floor) - pages_over(owned - drop, floor);
}

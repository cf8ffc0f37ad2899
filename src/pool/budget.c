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

// SPDX-License-Identifier: GPL-2.0
/*
 * shrinker_alloc: shrinkers allocated by the core, shrinker_alloc(flags,
 * fmt, ...) + shrinker_register() + shrinker_free().  Mainline 6.7 ("mm:
 * shrinker: add infrastructure for dynamically allocating shrinker"),
 * which also removed register_shrinker().  Excludes register_shrinker_fmt
 * and register_shrinker_nofmt.
 */
#include <linux/mm.h>
#include <linux/shrinker.h>

void xbng_probe(void);
void xbng_probe(void)
{
	struct shrinker *s = shrinker_alloc(0, "xbng-%s", "probe");

	if (!s)
		return;
	s->seeks = DEFAULT_SEEKS;
	shrinker_register(s);
	shrinker_free(s);
}

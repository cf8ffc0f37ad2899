// SPDX-License-Identifier: GPL-2.0
/*
 * register_shrinker_fmt: register_shrinker(shrinker, fmt, ...), the name
 * shown in debugfs.  Mainline 6.0 ("mm: shrinkers: provide shrinkers with
 * names"); removed in 6.7 by shrinker_alloc.  Excludes
 * register_shrinker_nofmt and shrinker_alloc.
 */
#include <linux/mm.h>
#include <linux/shrinker.h>

int xbng_probe(struct shrinker *s);
int xbng_probe(struct shrinker *s)
{
	int err = register_shrinker(s, "xbng-%s", "probe");

	if (!err)
		unregister_shrinker(s);
	return err;
}

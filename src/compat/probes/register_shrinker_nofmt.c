// SPDX-License-Identifier: GPL-2.0
/*
 * register_shrinker_nofmt: register_shrinker(shrinker) without a name, the
 * form before mainline 6.0.  Excludes register_shrinker_fmt and
 * shrinker_alloc.
 */
#include <linux/mm.h>
#include <linux/shrinker.h>

int xbng_probe(struct shrinker *s);
int xbng_probe(struct shrinker *s)
{
	int err = register_shrinker(s);

	if (!err)
		unregister_shrinker(s);
	return err;
}

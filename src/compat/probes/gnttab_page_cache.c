// SPDX-License-Identifier: GPL-2.0
/*
 * gnttab_page_cache: the grant page cache in grant-table.c
 * (gnttab_page_cache_{init,get,put,shrink}).  Mainline 5.10-rc8 (and 5.9.y)
 * ("xen: add helpers for caching grant mapping pages"), which replaced each
 * backend's own page list on page->lru: that list corrupts the ZONE_DEVICE
 * pages of CONFIG_XEN_UNPOPULATED_ALLOC.  Required; Debian's 5.10.223 and
 * later have it.
 */
#include <xen/grant_table.h>

int xbng_probe(struct gnttab_page_cache *cache);
int xbng_probe(struct gnttab_page_cache *cache)
{
	struct page *page;
	int err;

	gnttab_page_cache_init(cache);
	err = gnttab_page_cache_get(cache, &page);
	if (!err)
		gnttab_page_cache_put(cache, &page, 1);
	gnttab_page_cache_shrink(cache, 0);
	return err;
}

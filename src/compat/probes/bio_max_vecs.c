// SPDX-License-Identifier: GPL-2.0
/*
 * bio_max_vecs: BIO_MAX_VECS, the most segments one bio can hold.  Mainline
 * 5.12 ("block: rename BIO_MAX_PAGES to BIO_MAX_VECS").  compat.h maps it
 * to BIO_MAX_PAGES when missing.
 */
#include <linux/bio.h>

unsigned int xbng_probe(void);
unsigned int xbng_probe(void)
{
	return BIO_MAX_VECS;
}

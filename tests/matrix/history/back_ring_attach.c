// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles compat.h's own BACK_RING_ATTACH(), which only kernels before
 * ~5.5 would use: every kernel reachable here has the real one.  The
 * kernel's is removed after ring.h is read, so that compat.h defines its
 * own.  Compile-only, never linked.
 */
#include "xbng_config.h"
#include <linux/types.h>
#include <xen/page.h>
#include <xen/interface/io/blkif.h>

#undef BACK_RING_ATTACH
#undef HAVE_BACK_RING_ATTACH

#include "../compat/compat.h"

void xbng_history_back_ring_attach(struct blkif_back_ring *ring,
				   struct blkif_sring *sring, RING_IDX prod);
void xbng_history_back_ring_attach(struct blkif_back_ring *ring,
				   struct blkif_sring *sring, RING_IDX prod)
{
	BACK_RING_ATTACH(ring, sring, prod, XEN_PAGE_SIZE);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * back_ring_attach: BACK_RING_ATTACH(ring, sring, rsp_prod, size), which
 * re-attaches a back ring to a shared ring that already carries requests
 * (backend rebind).  Mainline ~5.5 ("xen/interface: re-define
 * FRONT/BACK_RING_ATTACH()").  compat.h defines it when missing.
 */
#include <linux/types.h>
#include <xen/page.h>
#include <xen/interface/io/blkif.h>

void xbng_probe(struct blkif_back_ring *ring, struct blkif_sring *sring);
void xbng_probe(struct blkif_back_ring *ring, struct blkif_sring *sring)
{
	BACK_RING_ATTACH(ring, sring, 0, XEN_PAGE_SIZE);
}

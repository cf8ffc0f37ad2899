// SPDX-License-Identifier: GPL-2.0
/*
 * blk_opf_t: the typedef for a bio's operation and flags.  Mainline 6.0
 * ("block: introduce the blk_opf_t type"); before it the same bits were a
 * plain unsigned int.  compat.h defines it when missing.
 */
#include <linux/blk_types.h>

blk_opf_t xbng_probe(void);
blk_opf_t xbng_probe(void)
{
	return REQ_OP_WRITE | REQ_FUA;
}

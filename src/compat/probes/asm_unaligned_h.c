// SPDX-License-Identifier: GPL-2.0
/*
 * asm_unaligned_h: <asm/unaligned.h>, the home of get_unaligned_le32() and
 * friends before mainline 6.12 moved it to <linux/unaligned.h>
 * (linux_unaligned_h); Debian's 6.12 still has both.
 */
#include <linux/types.h>
#include <asm/unaligned.h> /* xbng: probed */

u32 xbng_probe(const void *p);
u32 xbng_probe(const void *p)
{
	return get_unaligned_le32(p);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * linux_unaligned_h: <linux/unaligned.h>, where get_unaligned_le32() and
 * friends live since mainline 6.12 ("move asm/unaligned.h to
 * linux/unaligned.h"); 7.x has no <asm/unaligned.h> left.  compat.h
 * includes whichever the kernel has (asm_unaligned_h before 6.12).
 */
#include <linux/types.h>
#include <linux/unaligned.h> /* xbng: probed */

u32 xbng_probe(const void *p);
u32 xbng_probe(const void *p)
{
	return get_unaligned_le32(p);
}

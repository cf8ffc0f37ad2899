/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the code that builds both in the kernel and in user
 * space (unit tests, fuzzers).  Nothing here may pull in anything else.
 */
#ifndef XBNG_TYPES_H
#define XBNG_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>		/* snprintf, which the kernel has too */
#include <limits.h>		/* ULONG_MAX, which the kernel has too */
/*
 * The kernel's own UAPI types and DIV_ROUND_UP (linux-libc-dev): u64 is
 * then unsigned long long as in the kernel, not uint64_t's unsigned long.
 */
#include <linux/types.h>
#include <linux/const.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP __KERNEL_DIV_ROUND_UP
#endif
#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif

/* 32-bit kernels have no 64-bit '/': the core divides with these. */
static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}
#endif /* __KERNEL__ */

#endif /* XBNG_TYPES_H */

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
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <stdio.h>		/* snprintf, which the kernel has too */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#endif
#endif /* __KERNEL__ */

#endif /* XBNG_TYPES_H */

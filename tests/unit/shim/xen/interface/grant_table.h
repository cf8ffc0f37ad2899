/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stands in for the kernel's <xen/interface/grant_table.h> so that user
 * space can include blkif.h: the request structs need only grant_ref_t.
 */
#ifndef XBNG_TEST_SHIM_GRANT_TABLE_H
#define XBNG_TEST_SHIM_GRANT_TABLE_H
#include <stdint.h>
typedef uint32_t grant_ref_t;
#endif

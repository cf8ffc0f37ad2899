// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints are instantiated here, once.  What their header
 * includes comes first: with CREATE_TRACE_POINTS defined, the kernel's own
 * trace headers that it pulls in (Xen's hypercalls) would be instantiated
 * in this module too.
 */
#include "common.h"

#define CREATE_TRACE_POINTS
#include "trace/xbng_events.h"

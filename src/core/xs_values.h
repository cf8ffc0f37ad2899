/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and checking of the xenstore values the backend reads.  The
 * frontend's values (ring-ref, ring-page-order, event-channel, protocol,
 * multi-queue-num-queues, feature-persistent) are written by the guest and
 * are untrusted; the backend's own (physical-device, mode) are written by the
 * toolstack's hotplug script.  Pure C, shared with the unit tests and fuzzers.
 *
 * Every function returns 0 or a negative errno and never reads past the
 * terminating NUL.
 */
#ifndef XBNG_CORE_XS_VALUES_H
#define XBNG_CORE_XS_VALUES_H

#include "xbng_types.h"
#include "request.h"

/*
 * A decimal unsigned number: digits only (no sign, no spaces, no "0x"),
 * at most @max.  -EINVAL if not a number, -ERANGE if above @max.
 */
int xbng_parse_uint(const char *s, u32 max, u32 *out);

/* "MAJOR:MINOR" in hexadecimal, as the block hotplug script writes it. */
int xbng_parse_physical_device(const char *s, u32 *major, u32 *minor);

/* "native", "x86_32-abi", "x86_64-abi"; NULL or "" mean native. */
int xbng_parse_protocol(const char *s, enum xbng_abi native,
			enum xbng_abi *abi);

/* "w" (or anything starting with 'w') is writable; "r" read-only. */
int xbng_parse_mode(const char *s, bool *writable);

/*
 * Ring geometry.  @have_order: the frontend wrote ring-page-order (else it
 * uses the single-page "ring-ref" key).  -EINVAL if the order is above
 * @max_order.  On success *nr_pages = 1 << order.
 */
int xbng_ring_pages(bool have_order, u32 order, u32 max_order,
		    unsigned int *nr_pages);

/*
 * Number of queues: absent means 1; 0 or above @max_queues is -EINVAL.
 */
int xbng_nr_queues(bool present, u32 requested, u32 max_queues,
		   unsigned int *nr_queues);

/*
 * Format the xenstore key of ring page @i into @buf: "ring-ref" when the
 * frontend uses the single-page form, "ring-ref%u" otherwise.  Returns 0 or
 * -ENOSPC.
 */
int xbng_ring_ref_key(bool multi_ref, unsigned int i, char *buf, size_t len);

/* The rings a frontend asks for, latched at connect. */
struct xbng_ring_layout {
	unsigned int nr_pages;		/* per ring */
	unsigned int nr_queues;
	/*
	 * The ring's pages are "ring-ref0".."ring-ref<n-1>": the frontend
	 * wrote ring-page-order, whatever its value, 0 included.  Otherwise
	 * the one page is "ring-ref".
	 */
	bool multi_ref;
	bool order_ignored;		/* ring-page-order was not a number */
	bool queues_ignored;		/* multi-queue-num-queues neither */
};

/*
 * The layout from the values of ring-page-order and multi-queue-num-queues
 * as read from the frontend's directory (NULL: the key is absent).  A value
 * that is not a number counts as absent, one page or one queue, as the
 * stock backend reads it, and is flagged in @lay so that the caller can say
 * so; a number out of range (above @max_order, 0 or above @max_queues) is
 * -EINVAL.  @lay is written only on success.
 */
int xbng_ring_layout(const char *order, const char *queues, u32 max_order,
		     u32 max_queues, struct xbng_ring_layout *lay);

/*
 * Reads the u32 value of @key in one ring's directory: 0, -ENOENT if the key
 * is absent, or another negative errno (not a number: -EINVAL or -ERANGE).
 */
typedef int (*xbng_xs_u32_reader)(const void *ctx, const char *key, u32 *val);

/*
 * Read the grant references of one ring's @lay->nr_pages pages through
 * @read into @grefs.  On an error, @key (of @key_len bytes) names the key
 * that failed.
 */
int xbng_ring_refs_read(const struct xbng_ring_layout *lay,
			xbng_xs_u32_reader read, const void *ctx, u32 *grefs,
			char *key, size_t key_len);

/*
 * The cgroup named by the cgroup_template parameter for a domain: "%d" is
 * the domain id, "%n" its name (from xenstore), "%%" a percent sign.  A
 * name that is empty, "." or "..", or holds a '/', is refused (-EINVAL):
 * it would name another cgroup than the domain's own.  So is any other
 * '%' sequence.  -ENOSPC if the path and its NUL need more than @len.
 */
int xbng_cgroup_expand(const char *tmpl, u32 domid, const char *name,
		       char *out, size_t len);

#endif /* XBNG_CORE_XS_VALUES_H */

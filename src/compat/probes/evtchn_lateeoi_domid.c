// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn_lateeoi_domid: bind_interdomain_evtchn_to_irqhandler_lateeoi()
 * takes the remote domain id (unsigned int) as its first argument: the form
 * the lateeoi API was introduced with in 5.10-rc4 (XSA-332), replaced in
 * mainline 5.12 and in 5.10.y in Mar 2023.  Excludes
 * evtchn_lateeoi_xenbus_dev.
 */
#include <xen/xenbus.h>
#include <xen/events.h>

typedef int (*xbng_probe_bind_t)(unsigned int remote_domain,
				 evtchn_port_t port, irq_handler_t handler,
				 unsigned long irqflags, const char *name,
				 void *data);

int xbng_probe(void);
int xbng_probe(void)
{
	xbng_probe_bind_t bind = bind_interdomain_evtchn_to_irqhandler_lateeoi;
	void (*eoi)(unsigned int irq, unsigned int flags) = xen_irq_lateeoi;

	return bind != NULL && eoi != NULL && XEN_EOI_FLAG_SPURIOUS;
}

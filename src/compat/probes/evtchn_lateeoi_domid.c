// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn_lateeoi_domid: bind_interdomain_evtchn_to_irqhandler_lateeoi()
 * takes the remote domain id (unsigned int) as its first argument: the form
 * the lateeoi API was introduced with in 5.10-rc4 (XSA-332), replaced in
 * mainline 5.12; Debian's 5.10.262 still has it.  Excludes
 * evtchn_lateeoi_xenbus_dev.
 */
#include <xen/xenbus.h>
#include <xen/events.h>

int xbng_probe(struct xenbus_device *dev, evtchn_port_t port);
int xbng_probe(struct xenbus_device *dev, evtchn_port_t port)
{
	int (*bind)(unsigned int remote_domain, evtchn_port_t port,
		    irq_handler_t handler, unsigned long irqflags,
		    const char *name, void *data) =
		bind_interdomain_evtchn_to_irqhandler_lateeoi;
	void (*eoi)(unsigned int irq, unsigned int flags) = xen_irq_lateeoi;
	int irq = bind(dev->otherend_id, port, NULL, 0, "xbng-probe", NULL);

	if (irq >= 0)
		eoi(irq, XEN_EOI_FLAG_SPURIOUS);
	return irq;
}

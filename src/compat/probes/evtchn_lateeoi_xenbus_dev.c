// SPDX-License-Identifier: GPL-2.0
/*
 * evtchn_lateeoi_xenbus_dev: bind_interdomain_evtchn_to_irqhandler_lateeoi()
 * takes the struct xenbus_device * as its first argument.
 * Mainline 5.12 ("xen/events: link interdomain events to associated xenbus
 * device"); reported as backported to 5.10.y in Mar 2023, but Debian's
 * 5.10.262 still has the domid form.  Excludes evtchn_lateeoi_domid.
 */
#include <xen/xenbus.h>
#include <xen/events.h>

int xbng_probe(struct xenbus_device *dev, evtchn_port_t port);
int xbng_probe(struct xenbus_device *dev, evtchn_port_t port)
{
	int (*bind)(struct xenbus_device *dev, evtchn_port_t port,
		    irq_handler_t handler, unsigned long irqflags,
		    const char *name, void *data) =
		bind_interdomain_evtchn_to_irqhandler_lateeoi;
	void (*eoi)(unsigned int irq, unsigned int flags) = xen_irq_lateeoi;
	int irq = bind(dev, port, NULL, 0, "xbng-probe", NULL);

	if (irq >= 0)
		eoi(irq, XEN_EOI_FLAG_SPURIOUS);
	return irq;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: per device, the stock statistics/ files (xentop reads them),
 * physical_device and mode, and the pool/ counters; for the module,
 * /sys/module/xen_blkback_ng/pool/ with the same counters for all devices.
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "common.h"

static struct xbng_dev *to_xbng(struct device *d)
{
	return dev_get_drvdata(d);
}

/* Sum one counter over the device's rings (counters restart per connection). */
static u64 sum_ring_stat(struct xbng_dev *dev, size_t offset)
{
	unsigned int i;
	u64 sum = 0;

	mutex_lock(&dev->lock);
	for (i = 0; i < dev->nr_rings; i++)
		sum += READ_ONCE(*(u64 *)((char *)&dev->rings[i]->stats +
					  offset));
	mutex_unlock(&dev->lock);
	return sum;
}

#define RING_STAT(f) { #f, offsetof(struct xbng_ring_stats, f) }

static const struct {
	const char *name;
	size_t offset;
} ring_stat_fields[] = {
	RING_STAT(oo_req), RING_STAT(mem_waits), RING_STAT(rd_req), RING_STAT(wr_req),
	RING_STAT(f_req), RING_STAT(ds_req), RING_STAT(rd_sect),
	RING_STAT(wr_sect), RING_STAT(bad_req), RING_STAT(map_calls),
	RING_STAT(map_ops), RING_STAT(unmap_calls), RING_STAT(unmap_ops),
	RING_STAT(unmap_deferred), RING_STAT(pgrants),
	RING_STAT(indirect_req), RING_STAT(pgrant_evicted),
};

static ssize_t ring_stat_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	struct xbng_dev *dev = to_xbng(d);
	unsigned int i;

	if (!dev)
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(ring_stat_fields); i++)
		if (!strcmp(a->attr.name, ring_stat_fields[i].name))
			return sysfs_emit(buf, "%llu\n",
					  sum_ring_stat(dev,
							ring_stat_fields[i].offset));
	return -EINVAL;
}

#define XBNG_DEV_STAT_ATTR(name) \
	static struct device_attribute dev_stat_##name = \
		__ATTR(name, 0444, ring_stat_show, NULL)

XBNG_DEV_STAT_ATTR(oo_req);
XBNG_DEV_STAT_ATTR(mem_waits);
XBNG_DEV_STAT_ATTR(rd_req);
XBNG_DEV_STAT_ATTR(wr_req);
XBNG_DEV_STAT_ATTR(f_req);
XBNG_DEV_STAT_ATTR(ds_req);
XBNG_DEV_STAT_ATTR(rd_sect);
XBNG_DEV_STAT_ATTR(wr_sect);
XBNG_DEV_STAT_ATTR(bad_req);
XBNG_DEV_STAT_ATTR(map_calls);
XBNG_DEV_STAT_ATTR(map_ops);
XBNG_DEV_STAT_ATTR(unmap_calls);
XBNG_DEV_STAT_ATTR(unmap_ops);
XBNG_DEV_STAT_ATTR(unmap_deferred);
XBNG_DEV_STAT_ATTR(pgrants);
XBNG_DEV_STAT_ATTR(indirect_req);
XBNG_DEV_STAT_ATTR(pgrant_evicted);

static struct attribute *stat_attrs[] = {
	&dev_stat_oo_req.attr,
	&dev_stat_mem_waits.attr,
	&dev_stat_rd_req.attr,
	&dev_stat_wr_req.attr,
	&dev_stat_f_req.attr,
	&dev_stat_ds_req.attr,
	&dev_stat_rd_sect.attr,
	&dev_stat_wr_sect.attr,
	&dev_stat_bad_req.attr,
	&dev_stat_map_calls.attr,
	&dev_stat_map_ops.attr,
	&dev_stat_unmap_calls.attr,
	&dev_stat_unmap_ops.attr,
	&dev_stat_unmap_deferred.attr,
	&dev_stat_pgrants.attr,
	&dev_stat_indirect_req.attr,
	&dev_stat_pgrant_evicted.attr,
	NULL
};

static const struct attribute_group stat_group = {
	.name = "statistics",
	.attrs = stat_attrs,
};

static ssize_t pool_count_show(const struct xbng_pool_count *c,
			       const char *field, char *buf)
{
	if (!strcmp(field, "held"))
		return sysfs_emit(buf, "%ld\n", atomic_long_read(&c->held));
	if (!strcmp(field, "high_water"))
		return sysfs_emit(buf, "%ld\n",
				  atomic_long_read(&c->high_water));
	if (!strcmp(field, "allocated"))
		return sysfs_emit(buf, "%lld\n", atomic64_read(&c->allocated));
	if (!strcmp(field, "released"))
		return sysfs_emit(buf, "%lld\n", atomic64_read(&c->released));
	if (!strcmp(field, "bytes"))
		return sysfs_emit(buf, "%ld\n", atomic_long_read(&c->bytes));
	return -EINVAL;
}

/*
 * The pool counters, shared by the device's and the module's pool/:
 * free grant pages, then desc_* (request descriptors) and pgrant_*
 * (persistent-grant bookkeeping) with the same five counters each.
 */
static ssize_t pool_stat_show(const struct xbng_pool_stats *st,
			      const char *name, char *buf)
{
	if (!strcmp(name, "free_pages"))
		return sysfs_emit(buf, "%ld\n",
				  atomic_long_read(&st->free_pages));
	if (!strcmp(name, "high_water"))
		return sysfs_emit(buf, "%ld\n",
				  atomic_long_read(&st->high_water));
	if (!strcmp(name, "allocated"))
		return sysfs_emit(buf, "%lld\n", atomic64_read(&st->allocated));
	if (!strcmp(name, "released"))
		return sysfs_emit(buf, "%lld\n", atomic64_read(&st->released));
	if (!strcmp(name, "pressure_events"))
		return sysfs_emit(buf, "%lld\n",
				  atomic64_read(&st->pressure_events));
	if (!strcmp(name, "squeezes"))
		return sysfs_emit(buf, "%lld\n", atomic64_read(&st->squeezes));
	if (!strcmp(name, "last_squeeze_ns"))
		return sysfs_emit(buf, "%lld\n",
				  atomic64_read(&st->last_squeeze_ns));
	if (!strcmp(name, "last_release_ns"))
		return sysfs_emit(buf, "%ld\n",
				  atomic_long_read(&st->last_release_ns));
	/* The dom0 RAM the free pages hold: none if they are unpopulated. */
	if (!strcmp(name, "bytes"))
		return sysfs_emit(buf, "%ld\n",
				  xbng_pool_pages_cost_ram() ?
				  atomic_long_read(&st->free_pages) *
				  (long)PAGE_SIZE : 0);
	if (!strncmp(name, "desc_", 5))
		return pool_count_show(&st->desc, name + 5, buf);
	if (!strncmp(name, "pgrant_", 7))
		return pool_count_show(&st->pgrant, name + 7, buf);
	return -EINVAL;
}

static ssize_t dev_pool_show(struct device *d, struct device_attribute *a,
			     char *buf)
{
	struct xbng_dev *dev = to_xbng(d);

	if (!dev)
		return -ENODEV;
	return pool_stat_show(&dev->pool_stats, a->attr.name, buf);
}

/*
 * pool/policy: the device's choice among the policies and "default" (follow
 * the module-wide pool_policy), as a block device's queue/scheduler lists
 * its choices.  The rings pick a write up at their next page put or tick.
 */
static ssize_t dev_policy_show(struct device *d, struct device_attribute *a,
			       char *buf)
{
	struct xbng_dev *dev = to_xbng(d);

	if (!dev)
		return -ENODEV;
	return xbng_policy_list_choices(buf, PAGE_SIZE, READ_ONCE(dev->policy));
}

static ssize_t dev_policy_store(struct device *d, struct device_attribute *a,
				const char *buf, size_t count)
{
	const struct xbng_pool_policy *pol, *old;
	struct xbng_dev *dev = to_xbng(d);

	if (!dev)
		return -ENODEV;
	if (xbng_policy_choose(buf, &pol))
		return -EINVAL;
	old = xchg(&dev->policy, pol);
	if (old != pol)
		xbng_info(dev, "pool policy %s -> %s\n",
			  old ? old->name : XBNG_POLICY_DEFAULT_NAME,
			  pol ? pol->name : XBNG_POLICY_DEFAULT_NAME);
	return count;
}

#define XBNG_DEV_POOL_ATTR(name) \
	static struct device_attribute dev_pool_##name = \
		__ATTR(name, 0444, dev_pool_show, NULL)

XBNG_DEV_POOL_ATTR(free_pages);
XBNG_DEV_POOL_ATTR(high_water);
XBNG_DEV_POOL_ATTR(allocated);
XBNG_DEV_POOL_ATTR(released);
XBNG_DEV_POOL_ATTR(pressure_events);
XBNG_DEV_POOL_ATTR(squeezes);
XBNG_DEV_POOL_ATTR(bytes);
XBNG_DEV_POOL_ATTR(last_release_ns);
XBNG_DEV_POOL_ATTR(desc_held);
XBNG_DEV_POOL_ATTR(desc_high_water);
XBNG_DEV_POOL_ATTR(desc_allocated);
XBNG_DEV_POOL_ATTR(desc_released);
XBNG_DEV_POOL_ATTR(desc_bytes);
XBNG_DEV_POOL_ATTR(pgrant_held);
XBNG_DEV_POOL_ATTR(pgrant_high_water);
XBNG_DEV_POOL_ATTR(pgrant_allocated);
XBNG_DEV_POOL_ATTR(pgrant_released);
XBNG_DEV_POOL_ATTR(pgrant_bytes);
static struct device_attribute dev_pool_policy =
	__ATTR(policy, 0644, dev_policy_show, dev_policy_store);

static struct attribute *dev_pool_attrs[] = {
	&dev_pool_free_pages.attr,
	&dev_pool_high_water.attr,
	&dev_pool_allocated.attr,
	&dev_pool_released.attr,
	&dev_pool_pressure_events.attr,
	&dev_pool_squeezes.attr,
	&dev_pool_bytes.attr,
	&dev_pool_last_release_ns.attr,
	&dev_pool_desc_held.attr,
	&dev_pool_desc_high_water.attr,
	&dev_pool_desc_allocated.attr,
	&dev_pool_desc_released.attr,
	&dev_pool_desc_bytes.attr,
	&dev_pool_pgrant_held.attr,
	&dev_pool_pgrant_high_water.attr,
	&dev_pool_pgrant_allocated.attr,
	&dev_pool_pgrant_released.attr,
	&dev_pool_pgrant_bytes.attr,
	&dev_pool_policy.attr,
	NULL
};

static const struct attribute_group dev_pool_group = {
	.name = "pool",
	.attrs = dev_pool_attrs,
};

static ssize_t physical_device_show(struct device *d,
				    struct device_attribute *a, char *buf)
{
	struct xbng_dev *dev = to_xbng(d);

	if (!dev || !dev->have_bdev)
		return -ENODEV;
	return sysfs_emit(buf, "%x:%x\n", dev->major, dev->minor);
}
static DEVICE_ATTR_RO(physical_device);

static ssize_t mode_show(struct device *d, struct device_attribute *a,
			 char *buf)
{
	struct xbng_dev *dev = to_xbng(d);

	if (!dev || !dev->have_bdev)
		return -ENODEV;
	return sysfs_emit(buf, "%s\n", dev->readonly ? "r" : "w");
}
static DEVICE_ATTR_RO(mode);

/*
 * cgroup: the cgroup2 path, relative to its root, that the device's I/O is
 * charged to ("" for the root); a write that names no cgroup is refused.
 */
static ssize_t cgroup_show(struct device *d, struct device_attribute *a,
			   char *buf)
{
	struct xbng_dev *dev = to_xbng(d);

	if (!dev)
		return -ENODEV;
	return xbng_blkcg_show(dev, buf);
}

static ssize_t cgroup_store(struct device *d, struct device_attribute *a,
			    const char *buf, size_t count)
{
	struct xbng_dev *dev = to_xbng(d);
	char path[XBNG_CGROUP_PATH_MAX];
	int err;

	if (!dev)
		return -ENODEV;
	if (count >= sizeof(path))
		return -EINVAL;
	memcpy(path, buf, count);
	path[count] = '\0';
	strim(path);
	err = xbng_blkcg_set(dev, path);
	if (err)
		return err;
	xbng_info(dev, "I/O charged to cgroup \"%s\"\n", path);
	return count;
}
static DEVICE_ATTR_RW(cgroup);

static struct attribute *dev_attrs[] = {
	&dev_attr_physical_device.attr,
	&dev_attr_mode.attr,
	&dev_attr_cgroup.attr,
	NULL
};

static const struct attribute_group dev_group = {
	.attrs = dev_attrs,
};

const struct attribute_group *xbng_dev_groups[] = {
	&dev_group,
	&stat_group,
	&dev_pool_group,
	NULL
};

/* /sys/module/xen_blkback_ng/pool/ */

static ssize_t global_pool_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	if (!strcmp(a->attr.name, "pages_cost_ram"))
		return sysfs_emit(buf, "%d\n", xbng_pool_pages_cost_ram());
	return pool_stat_show(&xbng_global_pool_stats, a->attr.name, buf);
}

#define XBNG_GLOBAL_POOL_ATTR(name) \
	static struct kobj_attribute global_pool_##name = \
		__ATTR(name, 0444, global_pool_show, NULL)

XBNG_GLOBAL_POOL_ATTR(free_pages);
XBNG_GLOBAL_POOL_ATTR(high_water);
XBNG_GLOBAL_POOL_ATTR(allocated);
XBNG_GLOBAL_POOL_ATTR(released);
XBNG_GLOBAL_POOL_ATTR(pressure_events);
XBNG_GLOBAL_POOL_ATTR(squeezes);
XBNG_GLOBAL_POOL_ATTR(last_squeeze_ns);
XBNG_GLOBAL_POOL_ATTR(last_release_ns);
XBNG_GLOBAL_POOL_ATTR(bytes);
XBNG_GLOBAL_POOL_ATTR(pages_cost_ram);
XBNG_GLOBAL_POOL_ATTR(desc_held);
XBNG_GLOBAL_POOL_ATTR(desc_high_water);
XBNG_GLOBAL_POOL_ATTR(desc_allocated);
XBNG_GLOBAL_POOL_ATTR(desc_released);
XBNG_GLOBAL_POOL_ATTR(desc_bytes);
XBNG_GLOBAL_POOL_ATTR(pgrant_held);
XBNG_GLOBAL_POOL_ATTR(pgrant_high_water);
XBNG_GLOBAL_POOL_ATTR(pgrant_allocated);
XBNG_GLOBAL_POOL_ATTR(pgrant_released);
XBNG_GLOBAL_POOL_ATTR(pgrant_bytes);

static struct attribute *global_pool_attrs[] = {
	&global_pool_free_pages.attr,
	&global_pool_high_water.attr,
	&global_pool_allocated.attr,
	&global_pool_released.attr,
	&global_pool_pressure_events.attr,
	&global_pool_squeezes.attr,
	&global_pool_last_squeeze_ns.attr,
	&global_pool_last_release_ns.attr,
	&global_pool_bytes.attr,
	&global_pool_pages_cost_ram.attr,
	&global_pool_desc_held.attr,
	&global_pool_desc_high_water.attr,
	&global_pool_desc_allocated.attr,
	&global_pool_desc_released.attr,
	&global_pool_desc_bytes.attr,
	&global_pool_pgrant_held.attr,
	&global_pool_pgrant_high_water.attr,
	&global_pool_pgrant_allocated.attr,
	&global_pool_pgrant_released.attr,
	&global_pool_pgrant_bytes.attr,
	NULL
};

static const struct attribute_group global_pool_group = {
	.attrs = global_pool_attrs,
};

static struct kobject *global_pool_kobj;

int xbng_sysfs_init(void)
{
	int err;

	global_pool_kobj = kobject_create_and_add("pool",
						  &THIS_MODULE->mkobj.kobj);
	if (!global_pool_kobj)
		return -ENOMEM;
	err = sysfs_create_group(global_pool_kobj, &global_pool_group);
	if (err) {
		kobject_put(global_pool_kobj);
		global_pool_kobj = NULL;
	}
	return err;
}

void xbng_sysfs_exit(void)
{
	if (!global_pool_kobj)
		return;
	sysfs_remove_group(global_pool_kobj, &global_pool_group);
	kobject_put(global_pool_kobj);
	global_pool_kobj = NULL;
}

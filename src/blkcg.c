// SPDX-License-Identifier: GPL-2.0
/*
 * Charging a guest's I/O to a cgroup the host chooses.  Every bio of a
 * device is submitted by its rings' threads, kernel threads in the root
 * cgroup: without this, the kernel's I/O controller (io.max, io.weight,
 * io.latency, io.cost) sees all guests as one.  Each ring thread is
 * associated with the device's cgroup (kthread_associate_blkcg()), so the
 * bios it submits, those of discard and flush included, are charged there
 * and the controller's policies apply to the guest.
 *
 * The cgroup comes from, first to last: the device's sysfs attribute
 * "cgroup", written at run time, which lasts as long as the device; the
 * key "cgroup" of the vbd's backend folder in xenstore, which only dom0
 * can write (a toolstack or the hotplug script); the cgroup_template
 * parameter.  The last two are read when the frontend connects, and a
 * template naming a cgroup that does not exist is skipped.  A path is
 * relative to the cgroup2 root; "" is the root, the stock behaviour.
 *
 * A cgroup removed while a device uses it no longer takes bios: the ring
 * thread that next looks (its housekeeping tick, each second) falls back
 * to the root, once, with a message.
 */
#include <linux/cgroup.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>

#include "common.h"

static char *xbng_cgroup_template = "";
module_param_named(cgroup_template, xbng_cgroup_template, charp, 0644);
MODULE_PARM_DESC(cgroup_template,
		 "cgroup2 path, relative to its root, that a device's I/O is charged to when it connects and has none of its own; %d: the guest's domain id, %n: its name (path; default \"\" = the root)");

#ifdef CONFIG_BLK_CGROUP
/*
 * The io controller's state of @path: a reference the caller puts, NULL
 * for the root (the controller's root, or a cgroup where it is not
 * enabled below the root, charges nothing), or -EINVAL if @path is not a
 * cgroup.  The state in force is the cgroup's own or, where the controller
 * is not enabled, its nearest ancestor's: what cgroup_get_e_css() returns,
 * which 5.10 does not export.
 */
static struct cgroup_subsys_state *blkcg_lookup(const char *path)
{
	struct cgroup_subsys_state *css = NULL;
	struct cgroup *cgrp, *c;

	if (!*path)
		return NULL;
	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return ERR_PTR(-EINVAL);
	rcu_read_lock();
	for (c = cgrp; c && !css; c = cgroup_parent(c))
		css = rcu_dereference(c->subsys[io_cgrp_id]);
	/* A cgroup being removed already charges nothing. */
	if (css && (!css->parent || !css_tryget_online(css)))
		css = NULL;
	rcu_read_unlock();
	cgroup_put(cgrp);
	return css;
}

static void blkcg_get(struct cgroup_subsys_state *css)
{
	if (css)
		css_get(css);
}

static void blkcg_put(struct cgroup_subsys_state *css)
{
	if (css)
		css_put(css);
}
#else
static struct cgroup_subsys_state *blkcg_lookup(const char *path)
{
	return *path ? ERR_PTR(-EOPNOTSUPP) : NULL;
}

static void blkcg_get(struct cgroup_subsys_state *css)
{
}

static void blkcg_put(struct cgroup_subsys_state *css)
{
}
#endif

/*
 * Install @css (a reference, NULL: the root) and @path under blkcg_lock;
 * returns the css it replaces, for the caller to put.  Each ring thread
 * takes it up at its next pass (xbng_blkcg_sync_thread()).
 */
static struct cgroup_subsys_state *
blkcg_swap_locked(struct xbng_dev *dev, struct cgroup_subsys_state *css,
		  const char *path)
{
	struct cgroup_subsys_state *old = dev->blkcg_css;

	lockdep_assert_held(&dev->blkcg_lock);
	dev->blkcg_css = css;
	strscpy(dev->blkcg_path, css ? path : "", sizeof(dev->blkcg_path));
	WRITE_ONCE(dev->blkcg_gen, dev->blkcg_gen + 1);
	return old;
}

/* Install @css and @path, and have the rings take it up now. */
static void blkcg_install(struct xbng_dev *dev,
			  struct cgroup_subsys_state *css, const char *path)
{
	struct cgroup_subsys_state *old;
	unsigned int i;

	spin_lock(&dev->blkcg_lock);
	old = blkcg_swap_locked(dev, css, path);
	spin_unlock(&dev->blkcg_lock);
	blkcg_put(old);

	mutex_lock(&dev->lock);
	for (i = 0; i < dev->nr_rings; i++)
		xbng_ring_kick(dev->rings[i]);
	mutex_unlock(&dev->lock);
}

int xbng_blkcg_set(struct xbng_dev *dev, const char *path)
{
	struct cgroup_subsys_state *css;

	if (strlen(path) >= sizeof(dev->blkcg_path))
		return -EINVAL;
	css = blkcg_lookup(path);
	if (IS_ERR(css))
		return PTR_ERR(css);
	blkcg_install(dev, css, path);
	dev->blkcg_explicit = true;
	return 0;
}

ssize_t xbng_blkcg_show(struct xbng_dev *dev, char *buf)
{
	ssize_t n;

	spin_lock(&dev->blkcg_lock);
	n = sysfs_emit(buf, "%s\n", dev->blkcg_path);
	spin_unlock(&dev->blkcg_lock);
	return n;
}

/* The template's cgroup for @dev, into @path; false if there is none. */
static bool blkcg_from_template(struct xbng_dev *dev, char *path, size_t len)
{
	char dir[32], *name, *tmpl, buf[XBNG_CGROUP_PATH_MAX];
	int err;

	/* A write of the parameter frees the string it replaces. */
	kernel_param_lock(THIS_MODULE);
	strscpy(buf, xbng_cgroup_template ?: "", sizeof(buf));
	kernel_param_unlock(THIS_MODULE);
	tmpl = strim(buf);
	if (!*tmpl)
		return false;
	snprintf(dir, sizeof(dir), "/local/domain/%u", dev->domid);
	name = xenbus_read(XBT_NIL, dir, "name", NULL);
	err = xbng_cgroup_expand(tmpl, dev->domid, IS_ERR(name) ? NULL : name,
				 path, len);
	if (!IS_ERR(name))
		kfree(name);
	if (err)
		xbng_warn(dev, "cgroup_template \"%s\": no cgroup (%d)\n", tmpl,
			  err);
	return !err;
}

void xbng_blkcg_connect(struct xbng_dev *dev)
{
	struct cgroup_subsys_state *css;
	char path[XBNG_CGROUP_PATH_MAX];
	bool from_key = false;
	char *key;

	if (dev->blkcg_explicit)
		return;
	key = xenbus_read(XBT_NIL, dev->xdev->nodename, "cgroup", NULL);
	if (!IS_ERR(key)) {
		from_key = true;
		strscpy(path, key, sizeof(path));
		kfree(key);
	} else if (!blkcg_from_template(dev, path, sizeof(path))) {
		path[0] = '\0';
	}
	css = blkcg_lookup(path);
	if (IS_ERR(css)) {
		/* A template may name cgroups only some guests have. */
		if (from_key)
			xbng_warn(dev, "xenstore cgroup \"%s\" is not a cgroup: I/O charged to the root\n",
				  path);
		css = NULL;
	}
	blkcg_install(dev, css, path);
}

void xbng_blkcg_sync_thread(struct xbng_ring *ring)
{
	struct xbng_dev *dev = ring->dev;
	struct cgroup_subsys_state *css;

	spin_lock(&dev->blkcg_lock);
	css = dev->blkcg_css;
	blkcg_get(css);
	ring->blkcg_gen = dev->blkcg_gen;
	spin_unlock(&dev->blkcg_lock);
	/* Takes its own reference, and drops the one it held. */
	kthread_associate_blkcg(css);
	blkcg_put(css);
}

void xbng_blkcg_check(struct xbng_dev *dev)
{
	struct cgroup_subsys_state *old = NULL;
	char path[XBNG_CGROUP_PATH_MAX];

	spin_lock(&dev->blkcg_lock);
	if (dev->blkcg_css && css_is_dying(dev->blkcg_css)) {
		strscpy(path, dev->blkcg_path, sizeof(path));
		old = blkcg_swap_locked(dev, NULL, "");
	}
	spin_unlock(&dev->blkcg_lock);
	if (!old)
		return;
	blkcg_put(old);
	xbng_info(dev, "cgroup %s was removed: its I/O is charged to the root\n",
		  path);
}

void xbng_blkcg_release(struct xbng_dev *dev)
{
	blkcg_put(dev->blkcg_css);
	dev->blkcg_css = NULL;
}

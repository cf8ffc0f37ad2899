# SPDX-License-Identifier: GPL-2.0
#
# Packaging and installation targets, included by the top Makefile (which
# defines VERSION, KVER, KDIR and MODULE).  Outputs go under build/.
#
#   make deb             (PKG_FROM=HEAD|worktree, below) build/deb/: xen-blkback-ng-dkms_VERSION_all.deb and the source package
#   make rpm             build/rpm/: RPMS/noarch/xen-blkback-ng-dkms-VERSION-1.noarch.rpm and the SRPM
#   make package-lint    lintian on the .deb build, rpmlint on the RPMs
#   make dkms-install    register this tree with DKMS as /usr/src/xen-blkback-ng-VERSION,
#                        build and install it for $(KVER) (DKMS_KVERS="k1 k2" for several)
#   make dkms-uninstall  remove this version from DKMS, its /usr/src tree and the modprobe file
#   make install         plain install without DKMS: the module into /lib/modules/$(KVER)/updates,
#                        the modprobe file into $(MODPROBE_DIR), depmod
#   make uninstall       undo "make install"
#
# The version comes from VERSION only.  dkms.conf carries the placeholder
# #MODULE_VERSION#, replaced wherever it is installed.

PKG_NAME := xen-blkback-ng
PKG_BUILD := $(CURDIR)/build
PKG_STAGE := $(PKG_BUILD)/stage/$(PKG_NAME)-$(VERSION)
# Files shipped in the source packages (and thus in /usr/src for DKMS).
PKG_PATHS := src VERSION LICENSE README.md dkms.conf packaging debian rpm
MODPROBE_DIR ?= /lib/modprobe.d
MODPROBE_CONF := packaging/xen-blkback-ng.conf
DKMS_KVERS ?= $(KVER)
RPM_PACKAGER ?= xen-blkback-ng maintainers <maintainers@users.noreply.r-seed-de8c9495.example>
# make install signs the module with the DKMS MOK key when there is one.
SIGN_KEY ?= $(wildcard /var/lib/dkms/mok.key)
SIGN_CERT ?= $(wildcard /var/lib/dkms/mok.pub)

.PHONY: deb rpm package-lint package-stage dkms-install dkms-uninstall install uninstall

# A clean copy of the shipped files, never build products.  PKG_FROM=HEAD
# (default, in a git tree): the committed state, a consistent snapshot even
# while the working tree is being edited.  PKG_FROM=worktree: the working
# tree's tracked and new (not ignored) files.  Without git: everything
# under PKG_PATHS except Kbuild output.
PKG_FROM ?= HEAD
package-stage:
	rm -rf $(PKG_BUILD)/stage
	mkdir -p $(PKG_STAGE)
	if [ "$(PKG_FROM)" = HEAD ] && git -C $(CURDIR) rev-parse -q --verify HEAD >/dev/null 2>&1; then \
		git -C $(CURDIR) archive --format=tar HEAD -- $(PKG_PATHS); \
	elif git -C $(CURDIR) rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git -C $(CURDIR) ls-files -z -co --exclude-standard -- $(PKG_PATHS) | \
			(cd $(CURDIR) && xargs -0 -r tar -cf - --no-recursion --ignore-failed-read); \
	else \
		cd $(CURDIR) && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' --exclude=Module.symvers \
			--exclude=modules.order --exclude=xbng_config.h --exclude=.xbng-probes \
			--exclude='.*.d' $(PKG_PATHS); \
	fi | tar -xf - -C $(PKG_STAGE)

deb: package-stage
	@command -v dpkg-buildpackage >/dev/null && [ -x /usr/bin/dh_dkms ] || \
		{ echo "make deb: needs: apt-get install dpkg-dev debhelper dh-dkms" >&2; exit 1; }
	rm -rf $(PKG_BUILD)/deb
	mkdir -p $(PKG_BUILD)/deb
	cp -a $(PKG_STAGE) $(PKG_BUILD)/deb/
	cd $(PKG_BUILD)/deb/$(PKG_NAME)-$(VERSION) && dpkg-buildpackage -us -uc
	@ls $(PKG_BUILD)/deb/*.deb

rpm: package-stage
	@command -v rpmbuild >/dev/null || { echo "make rpm: needs rpmbuild (apt-get install rpm)" >&2; exit 1; }
	rm -rf $(PKG_BUILD)/rpm
	mkdir -p $(PKG_BUILD)/rpm/SOURCES $(PKG_BUILD)/rpm/SPECS
	tar -C $(PKG_BUILD)/stage -czf $(PKG_BUILD)/rpm/SOURCES/$(PKG_NAME)-$(VERSION).tar.gz \
		--owner=0 --group=0 --sort=name $(PKG_NAME)-$(VERSION)
	sed 's/@VERSION@/$(VERSION)/g' rpm/xen-blkback-ng-dkms.spec.in \
		>$(PKG_BUILD)/rpm/SPECS/xen-blkback-ng-dkms.spec
	rpmbuild -ba --define '_topdir $(PKG_BUILD)/rpm' --define 'packager $(RPM_PACKAGER)' \
		$(PKG_BUILD)/rpm/SPECS/xen-blkback-ng-dkms.spec
	@ls $(PKG_BUILD)/rpm/RPMS/noarch/*.rpm $(PKG_BUILD)/rpm/SRPMS/*.rpm

package-lint:
	lintian --info --display-info --pedantic $(PKG_BUILD)/deb/*.changes
	rpmlint -r rpm/xen-blkback-ng-dkms.rpmlintrc $(PKG_BUILD)/rpm/RPMS/noarch/*.rpm $(PKG_BUILD)/rpm/SRPMS/*.rpm \
		$(PKG_BUILD)/rpm/SPECS/xen-blkback-ng-dkms.spec

# True when a package (deb or rpm) owns the path $(1).
pkg-owned = { dpkg -S $(1) >/dev/null 2>&1 || rpm -qf $(1) >/dev/null 2>&1; }

# DKMS from this tree (the package-less path).  A version already
# registered is removed first, so that edited sources are picked up; a
# version installed by a package is left to the package manager.
dkms-install: package-stage
	@command -v dkms >/dev/null || { echo "make dkms-install: needs dkms (apt-get install dkms)" >&2; exit 1; }
	@if $(call pkg-owned,/usr/src/$(PKG_NAME)-$(VERSION)); then \
		echo "make dkms-install: /usr/src/$(PKG_NAME)-$(VERSION) belongs to a package; remove that first" >&2; exit 1; fi
	if [ -e /var/lib/dkms/$(PKG_NAME)/$(VERSION) ]; then dkms remove -m $(PKG_NAME) -v $(VERSION) --all; fi
	rm -rf /usr/src/$(PKG_NAME)-$(VERSION)
	mkdir -p /usr/src/$(PKG_NAME)-$(VERSION)
	cp -a $(PKG_STAGE)/src $(PKG_STAGE)/VERSION /usr/src/$(PKG_NAME)-$(VERSION)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >/usr/src/$(PKG_NAME)-$(VERSION)/dkms.conf
	install -D -m 0644 $(MODPROBE_CONF) $(MODPROBE_DIR)/xen-blkback-ng.conf
	dkms add -m $(PKG_NAME) -v $(VERSION)
	set -e; for k in $(DKMS_KVERS); do \
		rc=0; dkms install -m $(PKG_NAME) -v $(VERSION) -k $$k || rc=$$?; \
		if [ $$rc -eq 77 ]; then echo "$(PKG_NAME): skipped for $$k (see above)"; \
		elif [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done
	sh packaging/xbng-post-install stock-status

dkms-uninstall:
	@if $(call pkg-owned,/usr/src/$(PKG_NAME)-$(VERSION)); then \
		echo "make dkms-uninstall: /usr/src/$(PKG_NAME)-$(VERSION) belongs to a package; use apt/dnf remove" >&2; exit 1; fi
	if [ -e /var/lib/dkms/$(PKG_NAME)/$(VERSION) ]; then dkms remove -m $(PKG_NAME) -v $(VERSION) --all; fi
	rm -rf /usr/src/$(PKG_NAME)-$(VERSION)
	rmdir /var/lib/dkms/$(PKG_NAME) 2>/dev/null || true
	$(call pkg-owned,$(MODPROBE_DIR)/xen-blkback-ng.conf) || rm -f $(MODPROBE_DIR)/xen-blkback-ng.conf

# Plain install for one kernel.  A kernel with xen-blkback built in is
# refused, before anything is built: the built-in driver owns "vbd" and
# cannot be unloaded.
install:
	@if grep -qs '/xen-blkback\.ko' /lib/modules/$(KVER)/modules.builtin || \
	    grep -qs '^CONFIG_XEN_BLKDEV_BACKEND=y' $(KDIR)/.config; then \
		echo "make install: kernel $(KVER) has xen-blkback built in (CONFIG_XEN_BLKDEV_BACKEND=y); xen-blkback-ng cannot replace it there. Use a kernel with CONFIG_XEN_BLKDEV_BACKEND=m or =n." >&2; \
		exit 1; \
	fi
	$(MAKE) module
	install -D -m 0644 $(MODULE) $(DESTDIR)/lib/modules/$(KVER)/updates/xen-blkback-ng.ko
	if [ -n "$(SIGN_KEY)" ] && [ -n "$(SIGN_CERT)" ] && [ -x $(KDIR)/scripts/sign-file ]; then \
		$(KDIR)/scripts/sign-file \
			$$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' $(KDIR)/.config | grep . || echo sha512) \
			$(SIGN_KEY) $(SIGN_CERT) $(DESTDIR)/lib/modules/$(KVER)/updates/xen-blkback-ng.ko; \
	fi
	install -D -m 0644 $(MODPROBE_CONF) $(DESTDIR)$(MODPROBE_DIR)/xen-blkback-ng.conf
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); sh packaging/xbng-post-install stock-status; fi

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/xen-blkback-ng.ko $(DESTDIR)$(MODPROBE_DIR)/xen-blkback-ng.conf
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

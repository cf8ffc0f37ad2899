# SPDX-License-Identifier: GPL-2.0
#
# Build-time kernel API probes (OpenZFS style) for xen-blkback-ng.
#
# Include from src/Kbuild AFTER the module's object lists:
#
#	obj-m := xen-blkback-ng.o
#	xen-blkback-ng-y := main.o xenbus.o ...
#	include $(src)/compat/compat.mk
#
# Before any object of any module in obj-m is compiled, Kbuild compiles every
# compat/probes/*.c against the target kernel (compat/probe.sh) and writes
# $(obj)/xbng_config.h, one HAVE_* line per probe.  Module code includes
# compat/compat.h only, never the generated header directly.
#
# The header is a Kbuild target with a .cmd file: it is regenerated when a
# probe, the machinery, the kernel tree (path or configuration) or the
# compiler overrides change, so one source tree can be built against many
# kernels in turn.  It works the same under DKMS, which copies the tree and
# runs make -C $kernel_source_dir M=<copy>.

xbng-compat-dir := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
xbng-config := $(obj)/xbng_config.h
xbng-probes := $(sort $(wildcard $(xbng-compat-dir)/probes/*.c))

# Every object of every module here depends on the generated header; a
# composite module's parts are listed in <module>-y / <module>-objs.
xbng-compat-mods := $(patsubst %.o,%,$(obj-m))
xbng-compat-objs := $(addprefix $(obj)/,$(sort $(obj-m) \
	$(foreach m,$(xbng-compat-mods),$($(m)-y) $($(m)-objs))))

ifeq ($(strip $(xbng-compat-objs)),)
$(error compat.mk: no objects found; include it after obj-m and <module>-y)
endif

$(xbng-compat-objs): $(xbng-config)

# compat.h includes "xbng_config.h" from the build directory.
ccflags-y += -I$(obj)

targets += xbng_config.h
clean-files += xbng_config.h .xbng-probes

# Compiler overrides from the command line reach the probes; everything
# else of this Kbuild run is kept away from the nested one (see probe.sh).
xbng-probe-vars := $(foreach v,ARCH CROSS_COMPILE CC LD LLVM LLVM_IAS, \
	$(if $(filter command line,$(origin $(v))),$(v)=$($(v))))

quiet_cmd_xbng_probe = PROBE   $@
      cmd_xbng_probe = $(CONFIG_SHELL) $(xbng-compat-dir)/probe.sh \
	'$(MAKE)' $(abspath $(objtree)) $(abspath $(obj))/.xbng-probes $@ \
	$(xbng-probe-vars) -- $(xbng-probes)

# "+": the nested make shares this run's jobserver.
$(xbng-config): $(xbng-probes) $(xbng-compat-dir)/probe.sh \
		$(xbng-compat-dir)/compat.mk \
		$(wildcard $(objtree)/include/generated/autoconf.h) FORCE
	+$(call if_changed,xbng_probe)

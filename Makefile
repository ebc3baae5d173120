# SPDX-License-Identifier: GPL-2.0-only
#
# kipc top-level build.
#
#   make                 module for each test kernel (else the running
#                        kernel, or KDIR=), library, CLI and examples
#   make selftests       the selftests (needs linux-source-6.1's harness)
#   make check           every test: static checks, then the selftests in
#                        VMs on Debian's 6.1 and 6.12 cloud kernels, on
#                        Debian's 7.3 built small, and on the debug kernel
#                        (KASAN, lockdep, kmemleak, ...)
#   make check-quick     the same on the cloud kernels alone
#   make check-debug     the debug kernel's run alone
#   make run             boot a VM and show kipc at work
#   make vm [CMD=...]    a shell (or one command) in a VM with kipc loaded
#   make bench           the benchmark, in a VM (BENCH_ARGS= its options)
#   make install         library, headers, CLI and man pages under PREFIX,
#                        kipc-bridge with its systemd units and sysusers.d
#                        entry where libnats is found, and with KDIR= the
#                        module (DESTDIR reaches it as INSTALL_MOD_PATH,
#                        then depmod runs for that kernel) and its udev rule
#   make uninstall       remove what "make install" (same variables) put
#   make dkms-install    register, build and install the module through DKMS
#                        for the running kernel, or KERNELVER= (root)
#   make dkms-remove     undo dkms-install, for every kernel (root)
#   make deb             the Debian packages, into build/deb/ (debhelper,
#                        dh-dkms; needs no root)
#   make check-packaging the packages' checks: build them, lintian, install
#                        them in a throw-away root and link a program there,
#                        systemd-analyze verify on kipc-bridge's units, and
#                        a DKMS build for each test kernel
#   make deps            install missing Debian packages (root)
#   make clean           remove everything the build made
#
# V=1 shows the commands; STRICT=1 turns warnings into errors (W=1 and
# -Werror), as every test target does.

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory -s
endif

TOP := $(abspath .)
B := $(TOP)/build

# Kernels the VM tests boot: Debian's cloud kernels, 6.1 and 6.12, which
# "make deps" unpacks into kipc's cache (scripts/cloud-kernels.sh). They
# are what "make" builds the module for; where there are none, it builds
# for the running kernel. KDIR= picks one kernel. The test targets ask
# for the cloud kernels when they run, since "make deps" may just have
# fetched them.
CLOUD_KERNELS := $(TOP)/scripts/cloud-kernels.sh
TEST_KDIRS := $(shell $(CLOUD_KERNELS) --kdirs 2>/dev/null)
RUNNING_KDIR := $(realpath /lib/modules/$(shell uname -r)/build)
KDIRS := $(if $(KDIR),$(realpath $(KDIR)),$(or $(TEST_KDIRS),$(RUNNING_KDIR)))

# Warnings are errors only where we chose the kernel and the compiler:
# "make check" and CI (STRICT=1). A user's own kernel or a newer gcc may
# warn where ours did not, and that must not stop the build.
STRICT ?= 0
ifeq ($(STRICT),1)
WERROR := -Werror
KBUILD_STRICT := W=1 KCFLAGS=-Werror
endif

KSRC_TAR := /usr/src/linux-source-6.1.tar.xz
KSRC := $(B)/ksrc
KSRC_FILES := tools/testing/selftests/kselftest_harness.h \
	      tools/testing/selftests/kselftest.h \
	      scripts/checkpatch.pl scripts/spelling.txt \
	      scripts/const_structs.checkpatch

# CPPFLAGS, CFLAGS and LDFLAGS come last, so that a packager's
# (dpkg-buildflags: _FORTIFY_SOURCE, -z now, ...) win.
CC ?= cc
USER_CFLAGS := -O2 -g -Wall -Wextra $(WERROR) -std=gnu11 \
	       -I$(TOP)/uapi -I$(TOP)/lib $(CPPFLAGS) $(CFLAGS)
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man

BINDIR ?= $(PREFIX)/bin
# udev reads rules from /usr/lib, /run and /etc only, whatever PREFIX is.
UDEVRULESDIR ?= /usr/lib/udev/rules.d
# kipc-bridge's units: systemd also reads /usr/local/lib/systemd/system,
# but systemd-sysusers reads only /usr/lib, /run and /etc.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
BRIDGE_UNITS := kipc-bridge-export@.service kipc-bridge-import@.service

# The project's version: the module's, which DKMS and the packages carry.
VERSION := $(shell sed -n 's/^\#define KIPC_MODULE_VERSION_STR[^"]*"\(.*\)"/\1/p' \
	     $(TOP)/kmod/kipc_internal.h)

LIB_VERSION := $(shell sed -n 's/^VERSION := //p' $(TOP)/lib/Makefile)

export Q B TOP CC USER_CFLAGS NL_CFLAGS NL_LIBS PREFIX LIBDIR INCLUDEDIR \
	BINDIR LDFLAGS

.PHONY: all modules lib tools examples selftests check check-quick check-debug \
	check-static \
	run vm bench install uninstall install-lib install-tools install-man \
	install-module uninstall-module install-dkms-src dkms-install \
	dkms-remove deb check-packaging deps \
	clean checkpatch sparse sparse-with ksrc regen check-regen check-cycles \
	check-kdoc FORCE

# The selftests need the kernel's kselftest harness from linux-source-6.1
# ("make selftests", or any test target); a plain "make" does not.
all: modules lib tools examples

deps:
	$(Q)$(TOP)/scripts/deps.sh

# Each kernel gets its own build directory of symlinks, so the builds for
# two kernels never share objects. $(1): build-directory name, $(2): extra
# kbuild arguments, $(3): where the output goes.
define kbuild_each
	$(Q)test -n "$(KDIRS)" || { echo "no kernel headers: install your kernel's (linux-headers-$$(uname -r)), run 'make deps', or set KDIR"; exit 1; }
	$(Q)for k in $(KDIRS); do \
		d=$(B)/$(1)/$$(basename $$k); mkdir -p $$d; \
		for f in $(TOP)/kmod/*; do ln -sf $$f $$d/; done; \
		$(MAKE) -C $$k M=$$d KIPC_UAPI=$(TOP)/uapi $(KBUILD_STRICT) \
			$(2) modules $(3) || exit 1; \
	done
endef

modules:
	$(call kbuild_each,kmod,$(if $(V),V=$(V)))

lib:
	$(Q)$(MAKE) -C lib

# kipc-bridge needs the NATS C client (libnats-dev, which "make deps"
# installs); without it the rest builds and this says why it did not.
HAVE_NATS := $(shell pkg-config --exists libnats 2>/dev/null && echo 1)

tools: lib
	$(Q)$(MAKE) -C tools/kipc
ifeq ($(HAVE_NATS),1)
	$(Q)$(MAKE) -C tools/kipc-bridge
else
	@echo "kipc-bridge: skipped, pkg-config finds no libnats (install libnats-dev, or run 'make deps')"
endif

examples: lib
	$(Q)$(MAKE) -C examples

$(KSRC)/.stamp: $(KSRC_TAR)
	$(Q)mkdir -p $(KSRC)
	$(Q)tar -C $(KSRC) --strip-components=1 -xJf $(KSRC_TAR) \
		$(addprefix linux-source-6.1/,$(KSRC_FILES))
	$(Q)touch $@

ksrc: $(KSRC)/.stamp

selftests: lib ksrc
	$(Q)$(MAKE) -C selftests OUTPUT=$(B)/selftests \
		KSFT_INC=$(KSRC)/tools/testing/selftests

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) uapi/linux/kipc.h \
	     uapi/linux/kipc_netlink.h

# The netlink files generated from the spec by the kernel's YNL generator
# (scripts/ynl-gen.sh says which and why). "make regen" rewrites them;
# check-regen fails while the committed ones differ from what the spec
# makes, so neither can change without the other.
YNL_GEN := $(TOP)/scripts/ynl-gen.sh
YNL_OUT := uapi/linux/kipc_netlink.h kmod/netlink_gen.h kmod/netlink_gen.c

# What the generator does not write, checked against the spec: the
# definitions kipc.h keeps, and the width every attribute is put and read
# at by kmod, the library and the CLI.
NL_CHECKED := $(wildcard kmod/*.c lib/*.c tools/kipc/*.c)

regen:
	$(Q)$(YNL_GEN)

check-regen:
	$(Q)rm -rf $(B)/regen
	$(Q)$(YNL_GEN) $(B)/regen
	$(Q)for f in $(YNL_OUT); do \
		diff -u $$f $(B)/regen/$$f || { \
			echo "check-regen: $$f is not what Documentation/netlink/specs/kipc.yaml makes; run 'make regen'"; \
			exit 1; }; \
	done
	@echo "check-regen: the generated netlink files match the spec"
	$(Q)echo $(NL_CHECKED) | $(TOP)/scripts/check-netlink.py $(TOP)

# No cycle between kmod's files, in the call graph (from each kernel's
# objects: who leaves undefined what another defines) or the #include
# graph (kipc_internal.h, which they all share, left out).
check-cycles: modules
	$(Q)for k in $(KDIRS); do \
		$(TOP)/scripts/check-kmod-cycles.py $(TOP) $(B)/kmod/$$(basename $$k) || exit 1; \
	done

# kernel-doc, with Context: and Return:, on every non-static function of
# the files listed (scripts/check-kdoc.py), and the kernel's own
# scripts/kernel-doc -Wall clean on them. The kernel-doc is 7.3's, from
# the tree that scripts/kernel-7.3.sh unpacks (6.1's has no -Wall). The
# generated netlink_gen.c is the generator's to document.
KDOC_FILES := $(filter-out kmod/netlink_gen.c,$(wildcard kmod/*.c))

check-kdoc:
	$(Q)$(TOP)/scripts/check-kdoc.py $(KDOC_FILES)
	$(Q)ksrc=$$($(TOP)/scripts/kernel-7.3.sh | tail -n1)/source && \
		out=$$($$ksrc/scripts/kernel-doc -none -Wall $(KDOC_FILES) 2>&1) && \
		test -z "$$out" || { echo "$$out"; echo "check-kdoc: kernel-doc warns"; exit 1; }
	@echo "check-kdoc: $(words $(KDOC_FILES)) files documented"

# region.c keeps a copy of shmem's file_operations, filled at load and
# read-only after (__ro_after_init): the one such struct that cannot be
# const, which checkpatch's CONST_STRUCT heuristic cannot know. Every other
# check holds there too, and CONST_STRUCT everywhere else.
CHECKPATCH_CONST_EXCEPT := kmod/region.c
CHECKPATCH := $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
	      --terse --show-types --ignore FILE_PATH_CHANGES

# Run from the build directory: checkpatch leaves a cache file behind.
checkpatch: ksrc
	$(Q)cd $(B) && $(CHECKPATCH) -f $(addprefix $(TOP)/,$(filter-out \
		$(CHECKPATCH_CONST_EXCEPT),$(KMOD_SRCS)))
	$(Q)cd $(B) && $(CHECKPATCH) --ignore CONST_STRUCT \
		-f $(addprefix $(TOP)/,$(CHECKPATCH_CONST_EXCEPT))
	@echo "checkpatch: clean"

# sparse on every kernel built for; C=2 checks every file, and with
# STRICT=1 (as "make check" runs it) W=1 stays on. scripts/sparse.sh
# names a sparse new enough for 7.3's headers (building one if the
# system's is not), and that one checks every kernel.
SPARSE := $(TOP)/scripts/sparse.sh
sparse:
	$(Q)$(MAKE) sparse-with CHECK=$$($(SPARSE))

sparse-with:
	$(Q)test -x "$(CHECK)" || { echo "sparse: no sparse to run"; exit 1; }
	$(Q)mkdir -p $(B) && rm -f $(B)/sparse.log
	$(call kbuild_each,sparse,C=2 CHECK=$(CHECK),>>$(B)/sparse.log 2>&1)
	$(Q)grep -v '^Skipping BTF' $(B)/sparse.log || true
	$(Q)if grep -E 'warning|error' $(B)/sparse.log; then \
		echo "sparse: not clean"; exit 1; fi
	$(Q)if grep -q 'is not available or not up to date' $(B)/sparse.log; then \
		echo "sparse: a kernel's build turned $(CHECK) off (too old for its headers), so it checked nothing there"; exit 1; fi
	@echo "sparse: clean ($(notdir $(KDIRS)))"

VM := $(TOP)/selftests/vm/run.sh
KERNEL ?= 6.12

DEBUG_KERNEL := $(TOP)/scripts/debug-kernel.sh
KERNEL_73 := $(TOP)/scripts/kernel-7.3.sh
# Read when the recipe runs, after "make deps" has fetched them.
CHECK_KDIRS = $$($(CLOUD_KERNELS) --kdirs)

# The debug kernel is 6.1 built with KASAN, lockdep, kmemleak, UBSAN and
# fault injection; scripts/debug-kernel.sh builds it once into a cache
# outside the tree (about 25 minutes on 2 cores), and kipc is built
# against it like any KDIR. There the hardening programs run long and any
# kernel report or leak fails the run. The newest kernel, 7.3 from
# trixie-backports, is built the same way, small and without the debug
# options (scripts/kernel-7.3.sh), and sparse checks kipc there too. One
# summary covers every kernel.
check: check-static
	$(Q)$(DEBUG_KERNEL)
	$(Q)$(KERNEL_73)
	$(Q)kd=$$($(DEBUG_KERNEL) --path) && k73=$$($(KERNEL_73) --path) && \
		$(MAKE) modules KDIR=$$kd STRICT=1 && \
		$(MAKE) modules KDIR=$$k73 STRICT=1 && \
		$(MAKE) sparse KDIR=$$k73 STRICT=1 && \
		$(VM) check $(CHECK_KDIRS) $$k73 $$kd

check-quick: check-static
	$(Q)$(VM) check $(CHECK_KDIRS)

# Everything built for the cloud kernels, warnings as errors, the ABI's
# host-side checks (headers as C99 and C++98, kipc.rst against the header,
# the 0.x symbols still exported), checkpatch and sparse.
check-static: deps
	$(Q)$(MAKE) check-regen
	$(Q)$(MAKE) all selftests STRICT=1
	$(Q)$(TOP)/scripts/check-abi.sh $(TOP) $(B)/lib/libkipc.so.$(LIB_VERSION)
	$(Q)$(MAKE) check-cycles STRICT=1
	$(Q)$(MAKE) check-kdoc
	$(Q)$(MAKE) -C tools/kipc check
	$(Q)$(MAKE) checkpatch
	$(Q)$(MAKE) sparse STRICT=1
	$(Q)$(MAKE) check-packaging

check-debug: deps
	$(Q)$(DEBUG_KERNEL)
	$(Q)kd=$$($(DEBUG_KERNEL) --path) && \
		$(MAKE) all selftests KDIR=$$kd STRICT=1 && \
		$(VM) check-debug $$kd

run: deps
	$(Q)$(MAKE) all
	$(Q)$(VM) run $(KERNEL)

vm: deps
	$(Q)$(MAKE) all selftests
	$(Q)$(VM) cmd $(KERNEL)

# One VM boot runs every case, the rows across hosts (kipc-bridge and
# NATS's own rates) last; the table, JSON and plot land in
# build/bench/results. BENCH_ARGS go to kipc-bench: --filter bridge runs
# the rows across hosts alone, in about a minute.
bench: deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) -C tools/bench
	$(Q)if pkg-config --exists libnats; then $(MAKE) -C tools/bench nats; else \
		echo "kipc-bench-nats: skipped, pkg-config finds no libnats: the rows across hosts say n/a"; fi
	$(Q)rm -rf $(B)/bench/results
	$(Q)VM_OUT=$(B)/bench/results VM_TIMEOUT=$${VM_TIMEOUT:-1200} \
		BENCH_ARGS='$(BENCH_ARGS)' $(VM) bench $(KERNEL)
	$(Q)$(MAKE) -C tools/bench plot

MAN_PAGES := $(wildcard Documentation/man/*.[378])
MAN_SECTIONS := 3 7 8

install: install-lib install-tools install-man $(if $(KDIR),install-module)

install-lib: lib
	$(Q)$(MAKE) -C lib install DESTDIR=$(DESTDIR)

# The units run the bridge from BINDIR, as the user that sysusers.d entry
# makes (systemd-sysusers, or the next boot, creates it).
install-tools: tools
	$(Q)$(MAKE) -C tools/kipc install DESTDIR=$(DESTDIR)
ifeq ($(HAVE_NATS),1)
	$(Q)$(MAKE) -C tools/kipc-bridge install DESTDIR=$(DESTDIR)
	$(Q)install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	$(Q)for u in $(BRIDGE_UNITS); do \
		sed 's|#BINDIR#|$(BINDIR)|' dist/systemd/$$u \
			>$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	$(Q)install -m 644 dist/systemd/kipc-bridge.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/kipc-bridge.conf
endif

# kipc-bridge's page goes with kipc-bridge, where libnats let it be built.
INSTALL_MAN_PAGES := $(filter-out $(if $(HAVE_NATS),,Documentation/man/kipc-bridge.8),\
		     $(MAN_PAGES))

install-man:
	$(Q)for s in $(MAN_SECTIONS); do \
		install -d $(DESTDIR)$(MANDIR)/man$$s || exit 1; \
	done
	$(Q)for f in $(INSTALL_MAN_PAGES); do \
		s=$${f##*.}; \
		install -m 644 $$f $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done

# The module for KDIR, the way kbuild installs any external module, then
# depmod for that kernel's release against the same root: Debian's header
# trees have no System.map, so kbuild's own depmod step is skipped there,
# and without it modprobe cannot find the module.
# The release the module's vermagic carries: Debian's 6.1 trees say
# 6.1.176 in kernel.release, but 6.1.0-50-cloud-amd64 here and in uname -r.
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	 $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KMOD_BUILD = $(B)/kmod/$(notdir $(realpath $(KDIR)))

install-module: modules
	$(Q)test -n "$(KREL)" || { echo "install-module: set KDIR to a configured kernel tree"; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(KMOD_BUILD) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	$(Q)depmod -b "$(or $(DESTDIR),/)" $(KREL)
	$(Q)install -d $(DESTDIR)$(UDEVRULESDIR)
	$(Q)install -m 644 dist/udev/60-kipc.rules $(DESTDIR)$(UDEVRULESDIR)/

uninstall: $(if $(KDIR),uninstall-module)
	$(Q)$(MAKE) -C lib uninstall DESTDIR=$(DESTDIR)
	$(Q)$(MAKE) -C tools/kipc uninstall DESTDIR=$(DESTDIR)
	$(Q)$(MAKE) -C tools/kipc-bridge uninstall DESTDIR=$(DESTDIR)
	$(Q)rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(BRIDGE_UNITS)) \
		$(DESTDIR)$(SYSUSERSDIR)/kipc-bridge.conf
	$(Q)for f in $(notdir $(MAN_PAGES)); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$$f; \
	done

uninstall-module:
	$(Q)test -n "$(KREL)" || { echo "uninstall-module: set KDIR to a configured kernel tree"; exit 1; }
	$(Q)rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/kipc.ko \
		$(DESTDIR)/lib/modules/$(KREL)/updates/kipc.ko.*
	$(Q)depmod -b "$(or $(DESTDIR),/)" $(KREL)
	$(Q)rm -f $(DESTDIR)$(UDEVRULESDIR)/60-kipc.rules

# What DKMS builds from: the module's sources, the uapi header they
# include (kmod/Kbuild finds it beside kmod/), the licences and dkms.conf.
# The packages install the same tree.
DKMS_SRC = $(DESTDIR)/usr/src/kipc-$(VERSION)

install-dkms-src:
	$(Q)rm -rf $(DKMS_SRC)
	$(Q)install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/uapi/linux $(DKMS_SRC)/LICENSES
	$(Q)install -m 644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	$(Q)install -m 644 uapi/linux/kipc.h uapi/linux/kipc_netlink.h \
		$(DKMS_SRC)/uapi/linux/
	$(Q)cp -R LICENSES/. $(DKMS_SRC)/LICENSES/
	$(Q)sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

KERNELVER ?= $(shell uname -r)
# A kernel tree outside /lib/modules/KERNELVER/build, if KDIR= names one.
DKMS_KSRC = $(if $(KDIR),--kernelsourcedir $(realpath $(KDIR)))

dkms-install:
	$(Q)$(MAKE) install-dkms-src DESTDIR=
	$(Q)dkms status -m kipc -v $(VERSION) | grep -q . || dkms add -m kipc -v $(VERSION)
	$(Q)dkms build -m kipc -v $(VERSION) -k $(KERNELVER) $(DKMS_KSRC)
	$(Q)dkms install -m kipc -v $(VERSION) -k $(KERNELVER) $(DKMS_KSRC)
	$(Q)dkms status -m kipc

dkms-remove:
	$(Q)! dkms status -m kipc -v $(VERSION) | grep -q . || \
		dkms remove -m kipc -v $(VERSION) --all
	$(Q)rm -rf /usr/src/kipc-$(VERSION)

# dpkg-buildpackage writes its results beside the source directory, so it
# builds a copy of the tree inside build/deb/, and the .debs land there.
# The package build starts from a clean make environment: this make's
# exported paths (PREFIX, INCLUDEDIR, ...) and flags are not the package's.
DEB_DIR := $(B)/deb
DEB_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(addprefix -u ,Q B TOP CC \
	   USER_CFLAGS NL_CFLAGS NL_LIBS PREFIX LIBDIR INCLUDEDIR BINDIR \
	   MANDIR DESTDIR CPPFLAGS CFLAGS LDFLAGS)

# Without libnats, the kipc-bridge package is left out (the build profile
# pkg.kipc.nobridge, which also drops libnats-dev from Build-Depends), as
# "make tools" leaves the bridge out, and the line says so.
DEB_PROFILES := $(strip $(DEB_BUILD_PROFILES) $(if $(HAVE_NATS),,pkg.kipc.nobridge))

deb:
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/kipc-$(VERSION)
	$(Q)tar -C $(TOP) --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(DEB_DIR)/kipc-$(VERSION) -xf -
ifneq ($(HAVE_NATS),1)
	@echo "kipc-bridge: not packaged, pkg-config finds no libnats (install libnats-dev, or run 'make deps')"
endif
	$(Q)cd $(DEB_DIR)/kipc-$(VERSION) && $(DEB_ENV) \
		DEB_BUILD_PROFILES="$(DEB_PROFILES)" dpkg-buildpackage -us -uc -b \
		>$(DEB_DIR)/build.log 2>&1 || \
		{ tail -n 40 $(DEB_DIR)/build.log; exit 1; }
	$(Q)ls $(DEB_DIR)/*.deb

check-packaging:
	$(Q)$(TOP)/scripts/check-packaging.sh $(CHECK_KDIRS)

clean:
	$(Q)rm -rf $(B)

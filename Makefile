# SPDX-License-Identifier: GPL-2.0-only
#
# kipc top-level build.
#
#   make                 module for each test kernel (else the running
#                        kernel, or KDIR=), library, CLI and examples
#   make selftests       the selftests (needs linux-source-6.1's harness)
#   make check           every test: static checks, then the selftests in
#                        VMs on Debian's 6.1 and 6.12 cloud kernels and on
#                        the debug kernel (KASAN, lockdep, kmemleak, ...)
#   make check-quick     the same without the debug kernel
#   make check-debug     the debug kernel's run alone
#   make run             boot a VM and show kipc at work
#   make vm [CMD=...]    a shell (or one command) in a VM with kipc loaded
#   make bench           the benchmark, in a VM
#   make install         library, headers, CLI and man pages under PREFIX,
#                        and the module for KDIR
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

CC ?= cc
USER_CFLAGS := -O2 -g -Wall -Wextra $(WERROR) -std=gnu11 \
	       -I$(TOP)/uapi -I$(TOP)/lib $(CFLAGS)
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man

export Q B TOP CC USER_CFLAGS NL_CFLAGS NL_LIBS PREFIX LIBDIR INCLUDEDIR

.PHONY: all modules lib tools examples selftests check check-quick check-debug \
	check-static \
	run vm bench install deps \
	clean checkpatch sparse ksrc FORCE

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

tools: lib
	$(Q)$(MAKE) -C tools/kipc

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

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) uapi/linux/kipc.h

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
# STRICT=1 (as "make check" runs it) W=1 stays on.
sparse:
	$(Q)mkdir -p $(B) && rm -f $(B)/sparse.log
	$(call kbuild_each,sparse,C=2,>>$(B)/sparse.log 2>&1)
	$(Q)grep -v '^Skipping BTF' $(B)/sparse.log || true
	$(Q)if grep -E 'warning|error' $(B)/sparse.log; then \
		echo "sparse: not clean"; exit 1; fi
	@echo "sparse: clean"

VM := $(TOP)/selftests/vm/run.sh
KERNEL ?= 6.12

DEBUG_KERNEL := $(TOP)/scripts/debug-kernel.sh
# Read when the recipe runs, after "make deps" has fetched them.
CHECK_KDIRS = $$($(CLOUD_KERNELS) --kdirs)

# The debug kernel is 6.1 built with KASAN, lockdep, kmemleak, UBSAN and
# fault injection; scripts/debug-kernel.sh builds it once into a cache
# outside the tree (about 25 minutes on 2 cores), and kipc is built
# against it like any KDIR. There the hardening programs run long and any
# kernel report or leak fails the run. One summary covers every kernel.
check: check-static
	$(Q)$(DEBUG_KERNEL)
	$(Q)kd=$$($(DEBUG_KERNEL) --path) && \
		$(MAKE) modules KDIR=$$kd STRICT=1 && \
		$(VM) check $(CHECK_KDIRS) $$kd

check-quick: check-static
	$(Q)$(VM) check $(CHECK_KDIRS)

# Everything built for the cloud kernels, warnings as errors, checkpatch
# and sparse.
check-static: deps
	$(Q)$(MAKE) all selftests STRICT=1
	$(Q)$(MAKE) -C tools/kipc check
	$(Q)$(MAKE) checkpatch
	$(Q)$(MAKE) sparse STRICT=1

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

# One VM boot runs every case; the table, JSON and plot land in
# build/bench/results.
bench: deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) -C tools/bench
	$(Q)rm -rf $(B)/bench/results
	$(Q)VM_OUT=$(B)/bench/results VM_TIMEOUT=$${VM_TIMEOUT:-900} \
		$(VM) bench $(KERNEL)
	$(Q)$(MAKE) -C tools/bench plot

install: lib tools
	$(Q)$(MAKE) -C lib install DESTDIR=$(DESTDIR)
	$(Q)$(MAKE) -C tools/kipc install DESTDIR=$(DESTDIR)
	$(Q)install -d $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 644 Documentation/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	$(Q)install -m 644 Documentation/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(B)/kmod/$(notdir $(realpath $(KDIR))) modules_install)

clean:
	$(Q)rm -rf $(B)

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc: the userspace library for kipc.
 *
 * Every function returns a value >= 0 on success or a negative errno on
 * failure, and never relies on errno. The library keeps no global state;
 * every call is safe from any thread.
 */
#ifndef LIBKIPC_KIPC_H
#define LIBKIPC_KIPC_H

#include <stdint.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KIPC_LIB_VERSION_MAJOR	0
#define KIPC_LIB_VERSION_MINOR	1
#define KIPC_LIB_VERSION_PATCH	0

/* What the loaded module says about itself. */
struct kipc_module_info {
	uint32_t abi_version;
	uint32_t module_version;	/* KIPC_VERSION_CODE() */
	uint64_t features;		/* enum kipc_feature */
};

int kipc_lib_version(void);
int kipc_module_version(struct kipc_module_info *info);
int kipc_module_version_nl(struct kipc_module_info *info);

#ifdef __cplusplus
}
#endif

#endif /* LIBKIPC_KIPC_H */

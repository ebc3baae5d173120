// SPDX-License-Identifier: GPL-2.0-only
/* kipc version: the library's version and the loaded module's. */

#include <errno.h>
#include <stdio.h>

#include <libkipc.h>

#include "cli.h"

static void version_str(char *buf, size_t len, uint32_t code)
{
	snprintf(buf, len, "%u.%u.%u", code >> 16, (code >> 8) & 0xff,
		 code & 0xff);
}

static void print_module(const char *via, int ret,
			 const struct kipc_module_info *info)
{
	char ver[32];

	if (ret < 0) {
		if (ret == -EPROTONOSUPPORT)
			abi_fail();
		else
			errorf("module", NULL, -ret,
			       "cannot ask the module via %s", via);
		if (json_output) {
			json_begin_object(via);
			json_uint("errno", -ret);
			json_end_object();
		}
		return;
	}
	version_str(ver, sizeof(ver), info->module_version);
	if (json_output) {
		json_begin_object(via);
		json_string("version", ver);
		json_uint("abi", info->abi_version);
		json_uint("features", info->features);
		json_end_object();
	} else {
		printf("module  %s (abi %u, features 0x%llx) via %s\n", ver,
		       info->abi_version, (unsigned long long)info->features, via);
	}
}

int do_version(int argc, char **argv)
{
	struct kipc_module_info by_ioctl, by_nl;
	int ret_ioctl, ret_nl;
	char ver[32];

	if (argc > 1 && is_help(argv[1])) {
		printf("Usage: kipc version\n"
		       "Print the library's version and the loaded module's,\n"
		       "asked both through the ioctl and through netlink.\n");
		return 0;
	}
	if (argc > 1)
		return usage_error("version takes no arguments");

	version_str(ver, sizeof(ver), kipc_lib_version());
	ret_ioctl = kipc_module_version(&by_ioctl);
	ret_nl = kipc_module_version_nl(&by_nl);

	if (json_output) {
		json_begin_object(NULL);
		json_string("library", ver);
		json_begin_object("module");
	} else {
		printf("library %s\n", ver);
	}
	print_module("ioctl", ret_ioctl, &by_ioctl);
	print_module("netlink", ret_nl, &by_nl);
	if (json_output) {
		json_end_object();
		json_end_object();
		json_finish();
	}
	return ret_ioctl < 0 || ret_nl < 0;
}

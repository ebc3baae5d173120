// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers that every command uses: option and argument parsing, error
 * reports, standard input, and the formatting of times, sizes and modes.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <libkipc.h>

#include "cli.h"

#define NSEC_PER_SEC	UINT64_C(1000000000)

/*
 * Parses a command's options; -h and --help print help and return -1. A
 * usage error returns 2, after its message.
 */
int parse_opts(const char *cmd, int argc, char **argv,
	       const struct option *opts, const char *help,
	       int (*opt_fn)(int opt, const char *arg, void *ctx), void *ctx)
{
	char shorts[64] = ":h";
	size_t n = 2;
	int opt, ret;

	/* A long option whose value is a letter has it as its short form. */
	for (const struct option *o = opts; o->name && n + 3 < sizeof(shorts); o++) {
		if (o->val < 'A' || o->val > 'z' || o->val == 'h')
			continue;
		shorts[n++] = (char)o->val;
		if (o->has_arg == required_argument)
			shorts[n++] = ':';
	}
	shorts[n] = '\0';
	optind = 0;	/* main() used getopt: start afresh */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (opt == '?' || opt == ':')
			return bad_option(cmd, opt, argv);
		ret = opt_fn(opt, optarg, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

/* The opt_fn of a command that has no options but --help. */
int no_opt(int opt, const char *arg, void *ctx)
{
	(void)opt;
	(void)arg;
	(void)ctx;
	return 2;
}

/* The command's positional arguments: NAME, then up to max_extra more. */
int positional(const char *cmd, int argc, char **argv, int max_extra,
	       const char **name)
{
	int n = argc - optind;

	if (n < 1)
		return usage_error("%s: missing NAME", cmd);
	if (n > 1 + max_extra)
		return usage_error("%s: unexpected argument \"%s\"", cmd,
				   argv[optind + 1 + max_extra]);
	*name = argv[optind];
	return 0;
}

/*
 * libkipc's EPROTONOSUPPORT: the loaded module speaks another ABI, whose
 * ioctl numbers would mean other commands. Netlink answers in every ABI,
 * so it can say which one; returns 1, the failure status.
 */
int abi_fail(void)
{
	struct kipc_module_info info;

	if (kipc_module_version_nl(&info) == 0)
		return errorf(NULL, NULL, 0,
			      "the loaded kipc module speaks ABI %u and this library ABI %d: load the module of this release (rmmod kipc; modprobe kipc)",
			      info.abi_version, KIPC_ABI_VERSION);
	return errorf(NULL, NULL, 0,
		      "the loaded kipc module speaks another ABI than this library's (%d): load the module of this release",
		      KIPC_ABI_VERSION);
}

/* Reports err about an object; returns 1, the failure status. */
int obj_fail(const char *object, const char *name, int err)
{
	/* libkipc's ENODEV: the module is not loaded, and would not load. */
	if (err == ENODEV)
		return errorf(NULL, NULL, 0,
			      "the kipc module is not loaded (modprobe kipc)");
	if (err == EPROTONOSUPPORT)
		return abi_fail();
	return errorf(object, name, err, NULL);
}

/* All of standard input, refused with EMSGSIZE beyond max bytes. */
int read_stdin(size_t max, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = max + 1;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	while (len < cap) {
		size_t n = fread(buf + len, 1, cap - len, stdin);

		if (!n)
			break;
		len += n;
	}
	if (ferror(stdin)) {
		free(buf);
		return -EIO;
	}
	if (len > max) {
		free(buf);
		return -EMSGSIZE;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* A CLOCK_REALTIME time in nanoseconds as UTC, to the nanosecond. */
void format_time(char *out, size_t size, uint64_t ns)
{
	time_t sec = (time_t)(ns / NSEC_PER_SEC);
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&sec, &tm))
		n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%09" PRIu64 "Z", ns % NSEC_PER_SEC);
}

/*
 * A byte count as the size options take it back: with a G, M or K suffix
 * when it is an exact multiple, else in bytes.
 */
void format_size(char *out, size_t size, uint64_t bytes)
{
	static const char suffix[] = "GMK";
	int shift = 30;

	for (int i = 0; i < 3; i++, shift -= 10) {
		if (bytes && !(bytes & ((UINT64_C(1) << shift) - 1))) {
			snprintf(out, size, "%" PRIu64 "%c", bytes >> shift,
				 suffix[i]);
			return;
		}
	}
	snprintf(out, size, "%" PRIu64, bytes);
}

void format_mode(char *out, size_t size, uint32_t mode)
{
	snprintf(out, size, "%04o", mode);
}

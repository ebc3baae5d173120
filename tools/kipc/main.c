// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: command-line front end to kipc queues and regions.
 *
 *   kipc [-j|--json] [-p|--pretty] OBJECT COMMAND [ARGS]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipc.h"

bool json_output;
bool pretty_output;

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

/* Errors read "kipc: queue "jobs": Permission denied". */
int errorf(const char *object, const char *name, int err, const char *fmt, ...)
{
	va_list ap;

	fputs("kipc: ", stderr);
	if (object)
		fprintf(stderr, name ? "%s \"%s\": " : "%s: ", object, name);
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		if (err)
			fputs(": ", stderr);
	}
	if (err)
		fputs(strerror(err), stderr);
	fputc('\n', stderr);
	return 1;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kipc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return 2;
}

/*
 * A whole-string unsigned number for option opt: decimal, or hexadecimal
 * after "0x". With size_suffix, a trailing K, M or G multiplies by 1024,
 * 1024 * 1024 or 1024 * 1024 * 1024. Returns 0, or prints a usage error and
 * returns 2.
 */
int parse_uint(const char *opt, const char *arg, uint64_t max, bool size_suffix,
	       uint64_t *val)
{
	unsigned long long v;
	uint64_t mult = 1;
	int base = 10;
	const char *p = arg;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	/* strtoull() would take a sign or leading blanks; refuse them. */
	if ((base == 10 && (*p < '0' || *p > '9')) ||
	    (base == 16 && !((*p >= '0' && *p <= '9') ||
			     (*p >= 'a' && *p <= 'f') ||
			     (*p >= 'A' && *p <= 'F'))))
		goto bad;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno)
		goto range;
	if (size_suffix && base == 10 && *end && strchr("KMG", *end)) {
		mult = *end == 'K' ? 1024 : *end == 'M' ? 1024 * 1024 :
						      1024 * 1024 * 1024;
		end++;
	}
	if (*end)
		goto bad;
	if (v > max / mult)
		goto range;
	*val = v * mult;
	return 0;
bad:
	return usage_error("%s: invalid number \"%s\"", opt, arg);
range:
	return usage_error("%s: \"%s\" is out of range (0..%" PRIu64 ")", opt,
			   arg, max);
}

/* Octal permission bits, 0 to 0777, the whole string. */
int parse_mode(const char *opt, const char *arg, unsigned int *mode)
{
	unsigned int v = 0;
	const char *p;

	for (p = arg; *p >= '0' && *p <= '7' && v <= 0777; p++)
		v = v * 8 + (unsigned int)(*p - '0');
	if (p == arg || *p || v > 0777)
		return usage_error("%s: invalid mode \"%s\" (octal, 0..0777)",
				   opt, arg);
	*mode = v;
	return 0;
}

/*
 * The usage error for what getopt_long() refused. It must be called with
 * ":" leading the option string and opterr at 0, so a missing value
 * returns ':'.
 */
int bad_option(const char *cmd, int opt, char **argv)
{
	if (opt == ':')
		return usage_error("%s: option \"%s\" needs a value", cmd,
				   argv[optind - 1]);
	if (optopt > 0 && optopt < 128)
		return usage_error("%s: unknown option \"-%c\"", cmd, optopt);
	return usage_error("%s: unknown option \"%s\"", cmd,
			   argv[optind - 1]);
}

static void usage(FILE *f, const struct kipc_cmd *cmds)
{
	fprintf(f, "Usage: kipc [-j|--json] [-p|--pretty] OBJECT COMMAND [ARGS]\n"
		   "       kipc OBJECT --help\n\nObjects:\n");
	for (; cmds->name; cmds++)
		fprintf(f, "  %-10s %s\n", cmds->name, cmds->help);
}

int cmd_dispatch(const char *object, const struct kipc_cmd *cmds,
		 int argc, char **argv)
{
	const struct kipc_cmd *c;

	if (argc < 1)
		return usage_error("%s: missing command", object);
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->run(argc, argv);
	return usage_error("%s: unknown command \"%s\"", object, argv[0]);
}

static int do_help(int argc, char **argv);

static const struct kipc_cmd objects[] = {
	{ "queue", do_queue, "named message queues" },
	{ "region", do_region, "named shared-memory regions" },
	{ "stats", do_stats, "module-wide counts and parameters" },
	{ "monitor", do_monitor, "print queue and region events as they happen" },
	{ "version", do_version, "library and module versions" },
	{ "purge", do_purge, "delete every queue and region (administrators)" },
	{ "help", do_help, "this text" },
	{ NULL, NULL, NULL },
};

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout, objects);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	/* "+": options end at the object, which parses its own. */
	while ((opt = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = true;
			pretty_output = true;
			break;
		case 'h':
			usage(stdout, objects);
			return 0;
		default:
			usage(stderr, objects);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr, objects);
		return 2;
	}
	return cmd_dispatch("kipc", objects, argc, argv);
}

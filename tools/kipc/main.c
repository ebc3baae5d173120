// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: command-line front end to kipc queues and regions.
 *
 *   kipc [-j|--json] [-p|--pretty] OBJECT COMMAND [ARGS]
 */

#include <getopt.h>
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
	{ "version", do_version, "library and module versions" },
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

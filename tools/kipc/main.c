// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: command-line front end to kipc queues, regions and rings.
 *
 *   kipc [-j|--json] [-p|--pretty] OBJECT COMMAND [ARGS]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <locale.h>
#include <string.h>

#include <libkipc.h>

#include "cli.h"

bool json_output;
bool pretty_output;

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

/*
 * Every message goes out through here: as "kipc: MESSAGE" on stderr, or
 * under -j as {"error": "MESSAGE"} (bpftool's form), with the same exit
 * status either way. The message is built first, so that under -j it is
 * one JSON string.
 */
static void report(const char *msg, size_t len)
{
	if (json_output) {
		fputs("{\"error\":", stderr);
		json_fput_bytes(stderr, msg, len);
		fputs("}\n", stderr);
	} else {
		fputs("kipc: ", stderr);
		fput_sanitized(stderr, msg, len);
		fputc('\n', stderr);
	}
}

/*
 * Errors read "kipc: queue "jobs": Permission denied", and, where the
 * kernel explained itself through netlink's extended ack, its reason
 * after the errno text. The name is the user's bytes: escaped.
 */
int errorf(const char *object, const char *name, int err, const char *fmt, ...)
{
	const char *ext = err ? kipc_last_extack() : NULL;
	char *msg = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;

	f = open_memstream(&msg, &len);
	if (!f)
		return 1;
	if (object && name) {
		fprintf(f, "%s \"", object);
		fput_escaped(f, name, strlen(name));
		fputs("\": ", f);
	} else if (object) {
		fprintf(f, "%s: ", object);
	}
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		if (err)
			fputs(": ", f);
	}
	if (err)
		fputs(strerror(err), f);
	if (ext && *ext) {
		fputs(" (", f);
		fput_escaped(f, ext, strlen(ext));
		fputc(')', f);
	}
	if (!fclose(f))
		report(msg, len);
	free(msg);
	return 1;
}

int usage_error(const char *fmt, ...)
{
	char *msg = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;

	f = open_memstream(&msg, &len);
	if (!f)
		return 2;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputs(" (try --help)", f);
	if (!fclose(f))
		report(msg, len);
	free(msg);
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
				   escaped_arg(argv[optind - 1]));
	if (optopt > 0 && optopt < 128)
		return usage_error("%s: unknown option \"-%c\"", cmd, optopt);
	return usage_error("%s: unknown option \"%s\"", cmd,
			   escaped_arg(argv[optind - 1]));
}

/*
 * A user's argument, escaped for a message; the last few are kept so that
 * a message may quote two. Only for messages printed before exit.
 */
const char *escaped_arg(const char *arg)
{
	static char *ring[4];
	static unsigned int next;
	char *e = escape_text(arg);

	if (!e)
		return "?";
	free(ring[next]);
	ring[next] = e;
	next = (next + 1) % 4;
	return e;
}

static const char main_usage[] =
	"Usage: kipc [-j|--json] [-p|--pretty] OBJECT COMMAND [ARGS]\n"
	"       kipc OBJECT --help\n"
	"       kipc --version\n"
	"-j and -p may come anywhere before a \"--\". OBJECT and COMMAND may\n"
	"be abbreviated to any prefix that only one of them starts with.\n\n"
	"Options:\n"
	"  -j, --json      JSON output, and JSON errors on stderr\n"
	"  -p, --pretty    indented JSON (implies --json)\n"
	"  -V, --version   print the library and module versions\n"
	"  -h, --help      this text\n\nObjects:\n";

static void usage(FILE *f, const struct kipc_cmd *cmds)
{
	fputs(main_usage, f);
	for (; cmds->name; cmds++)
		fprintf(f, "  %-10s %s\n", cmds->name, cmds->help);
}

/*
 * The entry of cmds that word names: its whole name, else the one name it
 * is a prefix of, as ip(8) matches them. An ambiguous prefix matches none:
 * what it would run must not change when a command is added.
 */
const struct kipc_cmd *cmd_lookup(const struct kipc_cmd *cmds,
				  const char *word, bool *ambiguous)
{
	const struct kipc_cmd *c, *found = NULL;
	size_t len = strlen(word);

	*ambiguous = false;
	if (!len)
		return NULL;
	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, word))
			return c;
		if (!strncmp(c->name, word, len)) {
			if (found)
				*ambiguous = true;
			found = c;
		}
	}
	return *ambiguous ? NULL : found;
}

/* "send, show" for the message about an ambiguous prefix. */
static void candidates(char *out, size_t size, const struct kipc_cmd *cmds,
		       const char *word)
{
	size_t n = 0;

	out[0] = '\0';
	for (; cmds->name && n < size; cmds++)
		if (!strncmp(cmds->name, word, strlen(word)))
			n += (size_t)snprintf(out + n, size - n, "%s%s",
					      n ? ", " : "", cmds->name);
}

int cmd_dispatch(const char *object, const struct kipc_cmd *cmds,
		 int argc, char **argv)
{
	const struct kipc_cmd *c;
	const char *what = object ? "command" : "object";
	char list[256];
	bool ambiguous;

	if (argc < 1)
		return usage_error("%s: missing command", object);
	c = cmd_lookup(cmds, argv[0], &ambiguous);
	if (c)
		return c->run(argc, argv);
	if (ambiguous) {
		candidates(list, sizeof(list), cmds, argv[0]);
		return object ?
			usage_error("%s: ambiguous %s \"%s\": %s", object, what,
				    escaped_arg(argv[0]), list) :
			usage_error("ambiguous %s \"%s\": %s", what,
				    escaped_arg(argv[0]), list);
	}
	return object ? usage_error("%s: unknown %s \"%s\"", object, what,
				    escaped_arg(argv[0])) :
			usage_error("unknown %s \"%s\"", what,
				    escaped_arg(argv[0]));
}

static int do_help(int argc, char **argv);

static const struct kipc_cmd objects[] = {
	{ "queue", do_queue, "named message queues" },
	{ "region", do_region, "named shared-memory regions" },
	{ "ring", do_ring, "named rings of slots in shared memory" },
	{ "stats", do_stats, "module-wide counts and parameters" },
	{ "monitor", do_monitor, "print queue, region and ring events as they happen" },
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

/*
 * -j and -p are taken wherever they stand, as bpftool takes them, up to a
 * "--" (after which everything is an argument, a message "-j" included).
 * They are removed from argv, which keeps its other words in order.
 */
static int take_global_opts(int argc, char **argv)
{
	int out = 1, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			json_output = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			json_output = true;
			pretty_output = true;
		} else if (!strcmp(a, "-jp") || !strcmp(a, "-pj")) {
			json_output = true;
			pretty_output = true;
		} else {
			argv[out++] = argv[i];
		}
	}
	for (; i < argc; i++)
		argv[out++] = argv[i];
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	/* Names are measured and shown in the user's character set. */
	setlocale(LC_CTYPE, "");
	argc = take_global_opts(argc, argv);
	opterr = 0;
	/* "+": options end at the object, which parses its own. */
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout, objects);
			return 0;
		case 'V':
			return do_version(1, (char *[]){ "version", NULL });
		default:
			return bad_option("kipc", opt, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr, objects);
		return 2;
	}
	return cmd_dispatch(NULL, objects, argc, argv);
}

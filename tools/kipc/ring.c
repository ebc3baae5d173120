// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc ring: create and delete rings, through libkipc. Records are for
 * programs, which reserve and peek in place; a shell has nothing to gain
 * from a ring that a queue would not give it better.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkipc.h>

#include "cli.h"

/* Long-only options take values from here, clear of any short option. */
enum {
	OPT_SLOTS = 256,
	OPT_SLOT_SIZE,
	OPT_PRODUCERS,
	OPT_MODE,
};

#define RING_DEFAULT_SLOTS	256
#define RING_DEFAULT_SLOT_SIZE	256

static int ring_fail(const char *name, int err)
{
	return obj_fail("ring", name, err);
}

/* ---- create ---- */

static const char create_help[] =
	"Usage: kipc ring create NAME [--slots N] [--slot-size B] [--producers N]\n"
	"                        [--mode MODE]\n"
	"Create the ring NAME, which must not exist yet: N slots of B bytes, for\n"
	"programs to produce into and consume from with libkipc. All of its\n"
	"memory is taken now, zeroed, and kept resident.\n"
	"  --slots N       slots, a power of two from 2 to 65536 (default 256)\n"
	"  --slot-size B   bytes per slot, a multiple of 8 from 8 to 1M; K and M\n"
	"                  suffixes allowed (default 256)\n"
	"  --producers N   producers bound at a time, 1 to 64 (default 8)\n"
	"  --mode MODE     octal permission bits (default 0600): read lets a\n"
	"                  process consume or observe, write lets it produce\n";

struct ring_ctx {
	struct kipc_ring_config cfg;
	unsigned int mode;
};

static int ring_opt(int opt, const char *arg, void *p)
{
	struct ring_ctx *c = p;
	uint64_t v;

	switch (opt) {
	case OPT_SLOTS:
		if (parse_uint("--slots", arg, KIPC_RING_MAX_SLOTS, false, &v))
			return 2;
		c->cfg.nr_slots = (uint32_t)v;
		return 0;
	case OPT_SLOT_SIZE:
		if (parse_uint("--slot-size", arg, KIPC_RING_MAX_SLOT_SIZE, true,
			       &v))
			return 2;
		c->cfg.slot_size = (uint32_t)v;
		return 0;
	case OPT_PRODUCERS:
		if (parse_uint("--producers", arg, KIPC_RING_MAX_PRODUCERS, false,
			       &v))
			return 2;
		/* 0 would ask the kernel for its default: not what was typed. */
		if (!v)
			return usage_error("--producers: must be at least 1");
		c->cfg.max_producers = (uint32_t)v;
		return 0;
	case OPT_MODE:
		return parse_mode("--mode", arg, &c->mode);
	}
	return 2;
}

/*
 * The kernel's rules on the shape, said here in the options' words: its
 * EINVAL alone would not tell which of them was broken.
 */
static int ring_check_geometry(const char *name, const struct kipc_ring_config *cfg)
{
	uint32_t n = cfg->nr_slots, s = cfg->slot_size;

	if (n < 2 || (n & (n - 1)))
		return errorf("ring", name, EINVAL,
			      "--slots %" PRIu32 " is not a power of two from 2 to %d",
			      n, KIPC_RING_MAX_SLOTS);
	if (s < 8 || s % 8)
		return errorf("ring", name, EINVAL,
			      "--slot-size %" PRIu32 " is not a multiple of 8 from 8 to %d",
			      s, KIPC_RING_MAX_SLOT_SIZE);
	return 0;
}

static int ring_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "slots", required_argument, NULL, OPT_SLOTS },
		{ "slot-size", required_argument, NULL, OPT_SLOT_SIZE },
		{ "producers", required_argument, NULL, OPT_PRODUCERS },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ring_ctx c = {
		.cfg = {
			.nr_slots = RING_DEFAULT_SLOTS,
			.slot_size = RING_DEFAULT_SLOT_SIZE,
		},
		.mode = 0600,
	};
	struct kipc_ring *ring;
	const char *name;
	int ret;

	ret = parse_opts("ring create", argc, argv, opts, create_help,
			 ring_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("ring create", argc, argv, 0, &name);
	if (ret)
		return ret;
	ret = ring_check_geometry(name, &c.cfg);
	if (ret)
		return ret;

	/* An observer: creating must not take the consumer's place. */
	ret = kipc_ring_create(name, KIPC_RING_EXCL, c.mode, &c.cfg, &ring);
	if (ret < 0)
		return ring_fail(name, -ret);
	kipc_ring_close(ring);
	return 0;
}

/* ---- delete ---- */

static const char delete_help[] =
	"Usage: kipc ring delete NAME\n"
	"Remove the name NAME. Handles and mappings that exist keep the ring\n"
	"until they go.\n";

static int ring_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	int ret;

	ret = parse_opts("ring delete", argc, argv, opts, delete_help,
			 no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("ring delete", argc, argv, 0, &name);
	if (ret)
		return ret;
	ret = kipc_ring_unlink(name);
	return ret < 0 ? ring_fail(name, -ret) : 0;
}

/* ---- the object ---- */

static int ring_help(int argc, char **argv);

static const struct kipc_cmd ring_cmds[] = {
	{ "create", ring_create, "create a ring" },
	{ "list", ring_list, "list the rings" },
	{ "show", ring_show, "print a ring's attributes" },
	{ "delete", ring_delete, "remove a ring's name" },
	{ "help", ring_help, "this text" },
	{ NULL, NULL, NULL },
};

static int ring_help(int argc, char **argv)
{
	const struct kipc_cmd *c;

	(void)argc;
	(void)argv;
	printf("Usage: kipc [-j] [-p] ring COMMAND [NAME] [OPTIONS]\n"
	       "       kipc ring COMMAND --help\n\nCommands:\n");
	for (c = ring_cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
	return 0;
}

int do_ring(int argc, char **argv)
{
	if (argc > 1 && is_help(argv[1]))
		return ring_help(argc - 1, argv + 1);
	return cmd_dispatch("ring", ring_cmds, argc - 1, argv + 1);
}

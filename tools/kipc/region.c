// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc region: create, write to, read from, list, show, chmod, chown and
 * delete shared-memory regions, through libkipc. Data moves through a
 * mapping of the region, of only the pages that the range touches.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkipc.h>

#include "cli.h"

/* Long-only options take values from here, clear of any short option. */
enum {
	OPT_SIZE = 256,
	OPT_MODE,
	OPT_AUTO_DELETE,
	OPT_OFFSET,
	OPT_LENGTH,
	OPT_HEX,
};

static int region_fail(const char *name, int err)
{
	return obj_fail("region", name, err);
}

/* ---- create ---- */

static const char create_help[] =
	"Usage: kipc region create NAME --size B [--mode MODE] [--auto-delete]\n"
	"Create the shared-memory region NAME, which must not exist yet. Its\n"
	"pages start zero-filled.\n"
	"  --size B        size in bytes, K, M and G suffixes allowed; rounded\n"
	"                  up to whole pages\n"
	"  --mode MODE     octal permission bits (default 0600)\n"
	"  --auto-delete   delete the region when its last handle closes\n";

struct region_ctx {
	uint64_t size, offset, length;
	unsigned int mode;
	unsigned int flags;
	bool has_size, has_length, hex;
};

static int region_opt(int opt, const char *arg, void *p)
{
	struct region_ctx *c = p;

	switch (opt) {
	case OPT_SIZE:
		c->has_size = true;
		if (parse_uint("--size", arg, SIZE_MAX, true, &c->size))
			return 2;
		return c->size ? 0 : usage_error("--size: must be at least 1");
	case OPT_MODE:
		return parse_mode("--mode", arg, &c->mode);
	case OPT_AUTO_DELETE:
		c->flags |= KIPC_REGION_AUTO_DELETE;
		return 0;
	case OPT_OFFSET:
		return parse_uint("--offset", arg, SIZE_MAX, true, &c->offset);
	case OPT_LENGTH:
		c->has_length = true;
		return parse_uint("--length", arg, SIZE_MAX, true, &c->length);
	case OPT_HEX:
		c->hex = true;
		return 0;
	}
	return 2;
}

static int region_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "auto-delete", no_argument, NULL, OPT_AUTO_DELETE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct region_ctx c = { .mode = 0600 };
	const char *name;
	int ret, fd;

	ret = parse_opts("region create", argc, argv, opts, create_help,
			 region_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("region create", argc, argv, 0, &name);
	if (ret)
		return ret;
	if (!c.has_size)
		return usage_error("region create: --size is required");

	fd = kipc_region_open(name, O_RDWR | O_CREAT | O_EXCL, c.mode,
			      (size_t)c.size, c.flags);
	if (fd < 0)
		return region_fail(name, -fd);
	kipc_region_close(fd);
	return 0;
}

/*
 * The region NAME opened with oflag, and its size. The size comes from the
 * handle, so it is the size of the region that the handle maps.
 */
static int region_open_sized(const char *name, int oflag, int *fdp,
			     uint64_t *size)
{
	struct kipc_region_info info;
	int fd, ret;

	fd = kipc_region_open(name, oflag, 0, 0, 0);
	if (fd < 0)
		return fd;
	ret = kipc_region_info(fd, &info);
	if (ret < 0) {
		kipc_region_close(fd);
		return ret;
	}
	*fdp = fd;
	*size = info.region_size;
	return 0;
}

/* Refuses a range that does not lie within the region. */
static int region_check_range(const char *name, uint64_t size,
			      uint64_t offset, uint64_t len)
{
	if (offset > size)
		return errorf("region", name, 0,
			      "offset %" PRIu64 " is beyond its size of %" PRIu64
			      " bytes", offset, size);
	if (len > size - offset)
		return errorf("region", name, 0,
			      "%" PRIu64 " bytes at offset %" PRIu64
			      " exceed its size of %" PRIu64 " bytes",
			      len, offset, size);
	return 0;
}

/*
 * Maps the pages that hold [offset, offset + len), len > 0; *data points at
 * offset within them. Unmap with munmap(*map, *map_len).
 */
static int region_map_range(int fd, uint64_t offset, uint64_t len, int prot,
			    void **map, size_t *map_len, unsigned char **data)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = offset & ~(page - 1);
	int ret;

	*map_len = (size_t)(offset - start + len);
	ret = kipc_region_map(fd, (size_t)start, *map_len, prot, map);
	if (ret < 0)
		return ret;
	*data = (unsigned char *)*map + (offset - start);
	return 0;
}

/* ---- write ---- */

static const char write_help[] =
	"Usage: kipc region write NAME [--offset N] [DATA | -]\n"
	"Write DATA into the region NAME at offset N (default 0). Without DATA,\n"
	"or with -, write standard input. The bytes must fit in the region.\n"
	"  --offset N      where to write, in bytes; K, M and G suffixes allowed\n";

static int region_write(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct region_ctx c = { 0 };
	const char *name, *data = NULL;
	unsigned char *dst;
	char *buf = NULL;
	uint64_t size;
	size_t len = 0, map_len;
	void *map;
	int ret, fd;

	ret = parse_opts("region write", argc, argv, opts, write_help,
			 region_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("region write", argc, argv, 1, &name);
	if (ret)
		return ret;
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-"))
		data = argv[optind + 1];

	ret = region_open_sized(name, O_RDWR, &fd, &size);
	if (ret < 0)
		return region_fail(name, -ret);
	if (c.offset > size) {
		ret = region_check_range(name, size, c.offset, 0);
		goto out;
	}
	if (data) {
		len = strlen(data);
	} else {
		/* One byte more than fits tells that the input is too long. */
		ret = read_stdin((size_t)(size - c.offset), &buf, &len);
		if (ret == -EMSGSIZE) {
			ret = errorf("region", name, 0,
				     "standard input exceeds the %" PRIu64
				     " bytes from offset %" PRIu64 " to its end",
				     size - c.offset, c.offset);
			goto out;
		}
		if (ret < 0) {
			ret = errorf("region", name, -ret,
				     "cannot read standard input");
			goto out;
		}
		data = buf;
	}
	ret = region_check_range(name, size, c.offset, len);
	if (ret || !len)
		goto out;

	ret = region_map_range(fd, c.offset, len, PROT_READ | PROT_WRITE,
			       &map, &map_len, &dst);
	if (ret < 0) {
		ret = region_fail(name, -ret);
		goto out;
	}
	memcpy(dst, data, len);
	kipc_region_unmap(map, map_len);
out:
	free(buf);
	kipc_region_close(fd);
	return ret;
}

/* ---- read ---- */

static const char read_help[] =
	"Usage: kipc [-j] region read NAME [--offset N] [--length N] [--hex]\n"
	"Copy bytes of the region NAME to standard output: all of it from the\n"
	"offset on, by default.\n"
	"  --offset N      where to start, in bytes (default 0)\n"
	"  --length N      how many bytes (default: up to the end)\n"
	"  --hex           print a hexdump -C style dump instead of raw bytes;\n"
	"                  offsets are the region's\n"
	"With -j, print a JSON object whose data member holds the bytes.\n";

static void hex_line(uint64_t off, const unsigned char *p, size_t n)
{
	printf("%08" PRIx64 " ", off);
	for (size_t i = 0; i < 16; i++) {
		if (i == 8)
			putchar(' ');
		if (i < n)
			printf(" %02x", p[i]);
		else
			fputs("   ", stdout);
	}
	fputs("  |", stdout);
	for (size_t i = 0; i < n; i++)
		putchar(p[i] >= 0x20 && p[i] <= 0x7e ? p[i] : '.');
	puts("|");
}

/*
 * As hexdump -C: 16 bytes a line, and a run of lines equal to the one
 * before it shown as a single "*". The last line is the end offset.
 */
static void hex_dump(uint64_t base, const unsigned char *p, size_t len)
{
	bool starred = false;

	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		if (off && n == 16 && !memcmp(p + off, p + off - 16, 16)) {
			if (!starred)
				puts("*");
			starred = true;
			continue;
		}
		starred = false;
		hex_line(base + off, p + off, n);
	}
	printf("%08" PRIx64 "\n", base + len);
}

static int region_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "hex", no_argument, NULL, OPT_HEX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct region_ctx c = { 0 };
	unsigned char *src = NULL;
	const char *name;
	void *map = NULL;
	size_t map_len = 0;
	uint64_t size, len;
	int ret, fd;

	ret = parse_opts("region read", argc, argv, opts, read_help,
			 region_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("region read", argc, argv, 0, &name);
	if (ret)
		return ret;
	if (c.hex && json_output)
		return usage_error("region read: --hex and -j exclude each other");

	ret = region_open_sized(name, O_RDONLY, &fd, &size);
	if (ret < 0)
		return region_fail(name, -ret);
	if (c.offset > size) {
		ret = region_check_range(name, size, c.offset, 0);
		goto out;
	}
	len = c.has_length ? c.length : size - c.offset;
	ret = region_check_range(name, size, c.offset, len);
	if (ret)
		goto out;
	if (len) {
		ret = region_map_range(fd, c.offset, len, PROT_READ, &map,
				       &map_len, &src);
		if (ret < 0) {
			ret = region_fail(name, -ret);
			goto out;
		}
	}

	if (json_output) {
		json_begin_object(NULL);
		json_bytes("name", name, strlen(name));
		json_uint("offset", c.offset);
		json_uint("length", len);
		json_bytes("data", src, (size_t)len);
		json_end_object();
		json_finish();
	} else if (c.hex) {
		hex_dump(c.offset, src, (size_t)len);
	} else if (len && fwrite(src, 1, (size_t)len, stdout) != len) {
		ret = errorf("region", name, errno, "cannot write standard output");
	}
	if (!ret && fflush(stdout))
		ret = errorf("region", name, errno, "cannot write standard output");
	if (map)
		kipc_region_unmap(map, map_len);
out:
	kipc_region_close(fd);
	return ret;
}

/* ---- show, list, chmod, chown ---- */

static void region_fields(const struct obj_row *row)
{
	const struct kipc_obj_info *i = &row->info;

	field_uint("size", i->size);
	field_uint("mappings", i->mappings);
	/* Its name is gone; handles or mappings keep its memory. */
	field_bool("unlinked", i->flags & KIPC_REGION_UNLINKED);
}

static const struct list_col region_columns[] = {
	{ "SIZE", "bytes", true, true },
	{ "HANDLES", "bound handles", true, true },
	{ "MAPPINGS", "memory mappings, in any process", true, true },
	{ "STATE", "linked, or unlinked and kept by its users", false, true },
};

static void region_cells(const struct obj_row *row, char (*cell)[CELL_MAX])
{
	const struct kipc_obj_info *i = &row->info;

	format_size(cell[0], CELL_MAX, i->size);
	snprintf(cell[1], CELL_MAX, "%u", i->handles);
	snprintf(cell[2], CELL_MAX, "%" PRIu64, i->mappings);
	snprintf(cell[3], CELL_MAX, "%s",
		 (i->flags & KIPC_REGION_UNLINKED) ? "unlinked" : "linked");
}

struct region_list_arg {
	int (*cb)(const struct obj_row *row, void *arg);
	void *arg;
};

static int region_row(const struct kipc_obj_info *info, void *p)
{
	struct region_list_arg *a = p;
	struct obj_row row = { .info = *info };

	return a->cb(&row, a->arg);
}

static int region_list_rows(int (*cb)(const struct obj_row *row, void *arg),
			    void *arg)
{
	struct region_list_arg a = { cb, arg };

	return kipc_region_list(region_row, &a);
}

static int region_stat_row(const char *name, struct obj_row *row)
{
	memset(row, 0, sizeof(*row));
	return kipc_region_stat(name, &row->info);
}

const struct obj_kind region_kind = {
	.object = "region",
	.list = region_list_rows,
	.stat = region_stat_row,
	.chmod = kipc_region_chmod,
	.chown = kipc_region_chown,
	.columns = region_columns,
	.ncolumns = sizeof(region_columns) / sizeof(region_columns[0]),
	.cells = region_cells,
	.fields = region_fields,
};

static int region_show(int argc, char **argv)
{
	return obj_show(&region_kind, argc, argv);
}

static int region_list(int argc, char **argv)
{
	return obj_list(&region_kind, argc, argv);
}

static int region_chmod(int argc, char **argv)
{
	return obj_chmod(&region_kind, argc, argv);
}

static int region_chown(int argc, char **argv)
{
	return obj_chown(&region_kind, argc, argv);
}

/* ---- delete ---- */

static const char delete_help[] =
	"Usage: kipc region delete NAME\n"
	"Remove the name NAME. Handles and mappings that exist keep the region\n"
	"until they go.\n";

static int region_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	int ret;

	ret = parse_opts("region delete", argc, argv, opts, delete_help,
			 no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("region delete", argc, argv, 0, &name);
	if (ret)
		return ret;
	ret = kipc_region_unlink(name);
	return ret < 0 ? region_fail(name, -ret) : 0;
}

/* ---- the object ---- */

static int region_help(int argc, char **argv);

static const struct kipc_cmd region_cmds[] = {
	{ "create", region_create, "create a region" },
	{ "write", region_write, "write bytes into a region" },
	{ "read", region_read, "print bytes of a region" },
	{ "list", region_list, "list the regions" },
	{ "show", region_show, "print a region's attributes" },
	{ "chmod", region_chmod, "change a region's permission bits" },
	{ "chown", region_chown, "change a region's owner and group" },
	{ "delete", region_delete, "remove a region's name" },
	{ "help", region_help, "this text" },
	{ NULL, NULL, NULL },
};

static int region_help(int argc, char **argv)
{
	const struct kipc_cmd *c;

	(void)argc;
	(void)argv;
	printf("Usage: kipc [-j] [-p] region COMMAND [NAME] [OPTIONS]\n"
	       "       kipc region COMMAND --help\n\nCommands:\n");
	for (c = region_cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
	return 0;
}

int do_region(int argc, char **argv)
{
	if (argc > 1 && is_help(argv[1]))
		return region_help(argc - 1, argv + 1);
	return cmd_dispatch("region", region_cmds, argc - 1, argv + 1);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * What kipc queue, kipc region and kipc ring share: show, list, chmod and
 * chown by name, over netlink through libkipc, so none needs a handle or
 * access to the object. Each object type describes itself in a struct
 * obj_kind.
 */

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libsmartcols.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libkipc.h>

#include "cli.h"

/* ---- members ---- */

/* Width of the key column of text members. */
int field_width = 12;

void field_string(const char *key, const char *val)
{
	if (json_output)
		json_string(key, val);
	else
		printf("%-*s %s\n", field_width, key, val);
}

/* A name: arbitrary bytes, so escaped in text and JSON alike. */
void field_name(const char *key, const char *val)
{
	if (json_output) {
		json_bytes(key, val, strlen(val));
		return;
	}
	printf("%-*s ", field_width, key);
	fput_escaped(stdout, val, strlen(val));
	putchar('\n');
}

void field_uint(const char *key, uint64_t val)
{
	if (json_output)
		json_uint(key, val);
	else
		printf("%-*s %llu\n", field_width, key,
		       (unsigned long long)val);
}

void field_bool(const char *key, bool val)
{
	if (json_output)
		json_bool(key, val);
	else
		printf("%-*s %s\n", field_width, key, val ? "yes" : "no");
}

void field_mode(const char *key, uint32_t mode)
{
	char buf[16];

	format_mode(buf, sizeof(buf), mode);
	field_string(key, buf);
}

void field_time(const char *json_key, const char *text_key, uint64_t ns)
{
	char buf[64];

	if (json_output) {
		json_uint(json_key, ns);
		return;
	}
	format_time(buf, sizeof(buf), ns);
	field_string(text_key, buf);
}

void obj_fields(const struct obj_kind *kind, const struct obj_row *row)
{
	const struct kipc_obj_info *info = &row->info;

	field_name("name", info->name);
	kind->fields(row);
	field_mode("mode", info->mode);
	field_uint("uid", info->uid);
	field_uint("gid", info->gid);
	field_uint("handles", info->handles);
	/* The same bit for queues, regions and rings. */
	field_bool("auto_delete", info->flags & KIPC_QUEUE_AUTO_DELETE);
	field_time("ctime_ns", "ctime", info->ctime_ns);
}

/* ---- show ---- */

int obj_show(const struct obj_kind *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct obj_row row;
	char cmd[32], help[512];
	const char *name;
	int ret;

	snprintf(cmd, sizeof(cmd), "%s show", kind->object);
	snprintf(help, sizeof(help),
		 "Usage: kipc [-j] [-p] %s show NAME\n"
		 "Print the attributes and counters of the %s NAME. It needs no\n"
		 "access to the %s, and opens no handle of it.\n",
		 kind->object, kind->object, kind->object);
	ret = parse_opts(cmd, argc, argv, opts, help, no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional(cmd, argc, argv, 0, &name);
	if (ret)
		return ret;

	ret = kind->stat(name, &row);
	if (ret < 0)
		return obj_fail(kind->object, name, -ret);
	if (json_output)
		json_begin_object(NULL);
	obj_fields(kind, &row);
	if (json_output) {
		json_end_object();
		json_finish();
	}
	return 0;
}

/* ---- list ---- */

struct obj_array {
	struct obj_row *v;
	size_t n, cap;
};

static int obj_collect(const struct obj_row *row, void *arg)
{
	struct obj_array *a = arg;
	struct obj_row *p;

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		p = realloc(a->v, a->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		a->v = p;
	}
	a->v[a->n++] = *row;
	return 0;
}

/* "user:group", by name where the IDs have one. */
static void format_owner(char *out, size_t size, uint32_t uid, uint32_t gid)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];
	size_t n;

	getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp);
	if (pwp)
		n = (size_t)snprintf(out, size, "%s:", pwp->pw_name);
	else
		n = (size_t)snprintf(out, size, "%u:", uid);
	if (n >= size)
		return;
	getgrgid_r(gid, &gr, buf, sizeof(buf), &grp);
	if (grp)
		snprintf(out + n, size - n, "%s", grp->gr_name);
	else
		snprintf(out + n, size - n, "%u", gid);
}

/*
 * The columns every object has, before the object's own. A cell is at
 * most CELL_MAX bytes but the name's, which the table takes as it is:
 * libsmartcols escapes it (\xNN for controls and bytes the locale cannot
 * show), measures it in display columns, and cuts it to the terminal.
 */
static const struct list_col common_cols[] = {
	{ "NAME", "the name", false, true },
	{ "MODE", "permission bits", false, true },
	{ "OWNER", "owner and group, by name", false, true },
	{ "UID", "owner's user ID", true, false },
	{ "GID", "group ID", true, false },
	{ "CTIME", "creation time (UTC)", false, false },
};

#define NCOMMON		(sizeof(common_cols) / sizeof(common_cols[0]))
#define LIST_COLS_MAX	(NCOMMON + OBJ_COLS_MAX)

static const struct list_col *col_at(const struct obj_kind *kind,
				     unsigned int c)
{
	return c < NCOMMON ? &common_cols[c] : &kind->columns[c - NCOMMON];
}

static void common_cell(unsigned int c, const struct kipc_obj_info *i,
			char *out, size_t size)
{
	switch (c) {
	case 1:
		format_mode(out, size, i->mode);
		break;
	case 2:
		format_owner(out, size, i->uid, i->gid);
		break;
	case 3:
		snprintf(out, size, "%u", i->uid);
		break;
	case 4:
		snprintf(out, size, "%u", i->gid);
		break;
	case 5:
		format_time(out, size, i->ctime_ns);
		break;
	}
}

/* Column names, as -o takes them, for the list's --help. */
void obj_list_columns_help(const struct obj_kind *kind, FILE *f)
{
	unsigned int n = NCOMMON + kind->ncolumns;

	fputs("Columns (default marked *):\n", f);
	for (unsigned int c = 0; c < n; c++)
		fprintf(f, "  %c %-10s %s\n", col_at(kind, c)->dflt ? '*' : ' ',
			col_at(kind, c)->name, col_at(kind, c)->help);
}

/*
 * -o's comma-separated column names, any case, into sel; a leading "+"
 * appends them to the default columns, as lsblk does. Returns how many,
 * or prints a usage error and returns -2.
 */
static int parse_columns(const struct obj_kind *kind, const char *cmd,
			 const char *arg, unsigned int *sel)
{
	unsigned int n = 0, ncols = NCOMMON + kind->ncolumns;
	const char *p = arg, *end;

	if (!arg) {
		for (unsigned int c = 0; c < ncols; c++)
			if (col_at(kind, c)->dflt)
				sel[n++] = c;
		return (int)n;
	}
	if (*p == '+') {
		n = (unsigned int)parse_columns(kind, cmd, NULL, sel);
		p++;
	}
	for (; *p; p = *end ? end + 1 : end) {
		unsigned int c;

		end = p + strcspn(p, ",");
		for (c = 0; c < ncols; c++)
			if (strlen(col_at(kind, c)->name) == (size_t)(end - p) &&
			    !strncasecmp(col_at(kind, c)->name, p, (size_t)(end - p)))
				break;
		if (c == ncols || n == LIST_COLS_MAX) {
			char *e = escape_text(p);

			usage_error("%s: unknown column \"%.*s\"", cmd,
				    e ? (int)strcspn(e, ",") : 0, e ? e : "");
			free(e);
			return -2;
		}
		sel[n++] = c;
	}
	if (!n)
		return usage_error("%s: -o needs a column", cmd), -2;
	return (int)n;
}

struct list_opts {
	const char *columns;
	bool raw, noheadings;
};

/* The listing as libsmartcols prints it: aligned, raw, or no headings. */
static int obj_print_table(const struct obj_kind *kind,
			   const struct obj_array *a, const unsigned int *sel,
			   unsigned int nsel, const struct list_opts *o)
{
	char kcell[OBJ_COLS_MAX][CELL_MAX], cell[CELL_MAX];
	struct libscols_table *tb;
	int ret = -ENOMEM;

	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (unsigned int c = 0; c < nsel; c++) {
		const struct list_col *col = col_at(kind, sel[c]);
		int flags = col->right ? SCOLS_FL_RIGHT : 0;

		/* A long name gives way on a terminal, not the figures. */
		if (sel[c] == 0)
			flags |= SCOLS_FL_TRUNC;
		if (!scols_table_new_column(tb, col->name, 0, flags))
			goto out;
	}
	for (size_t r = 0; r < a->n; r++) {
		const struct kipc_obj_info *i = &a->v[r].info;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto out;
		kind->cells(&a->v[r], kcell);
		for (unsigned int c = 0; c < nsel; c++) {
			const char *data = cell;

			if (sel[c] == 0)
				data = i->name;
			else if (sel[c] < NCOMMON)
				common_cell(sel[c], i, cell, sizeof(cell));
			else
				data = kcell[sel[c] - NCOMMON];
			if (scols_line_set_data(ln, c, data))
				goto out;
		}
	}
	ret = scols_print_table(tb);
out:
	scols_unref_table(tb);
	return ret;
}

enum {
	OPT_RAW = 256,
};

static int list_opt(int opt, const char *arg, void *p)
{
	struct list_opts *o = p;

	switch (opt) {
	case 'o':
		o->columns = arg;
		return 0;
	case 'n':
		o->noheadings = true;
		return 0;
	case 'r':
		o->raw = true;
		return 0;
	}
	return 2;
}

int obj_list(const struct obj_kind *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int sel[LIST_COLS_MAX];
	struct obj_array a = { 0 };
	struct list_opts o = { 0 };
	char cmd[32], *help = NULL;
	size_t hsize = 0;
	int ret, nsel;
	FILE *hf;

	snprintf(cmd, sizeof(cmd), "%s list", kind->object);
	hf = open_memstream(&help, &hsize);
	if (!hf)
		return obj_fail(kind->object, NULL, ENOMEM);
	fprintf(hf,
		"Usage: kipc [-j] [-p] %s list [-o COLUMNS] [-n] [-r]\n"
		"List the %ss of this IPC namespace, one line each, or a JSON\n"
		"array of every member with -j.\n"
		"  -o, --output COLUMNS  the columns, comma-separated; +COLUMNS\n"
		"                        adds them to the default ones\n"
		"  -n, --noheadings      no header line\n"
		"  -r, --raw             columns separated by one space, with every\n"
		"                        blank and non-ASCII byte escaped as \\xNN\n",
		kind->object, kind->object);
	obj_list_columns_help(kind, hf);
	if (fclose(hf))
		return obj_fail(kind->object, NULL, ENOMEM);
	ret = parse_opts(cmd, argc, argv, opts, help, list_opt, &o);
	free(help);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc)
		return usage_error("%s: unexpected argument \"%s\"", cmd,
				   argv[optind]);
	nsel = parse_columns(kind, cmd, o.columns, sel);
	if (nsel < 0)
		return 2;

	ret = kind->list(obj_collect, &a);
	if (ret < 0) {
		free(a.v);
		return obj_fail(kind->object, NULL, -ret);
	}
	ret = 0;
	if (json_output) {
		json_begin_array(NULL);
		for (size_t r = 0; r < a.n; r++) {
			json_begin_object(NULL);
			obj_fields(kind, &a.v[r]);
			json_end_object();
		}
		json_end_array();
		json_finish();
	} else {
		ret = obj_print_table(kind, &a, sel, (unsigned int)nsel, &o);
		if (ret < 0)
			ret = obj_fail(kind->object, NULL, -ret);
	}
	free(a.v);
	return ret;
}

/* ---- chmod, chown ---- */

int obj_chmod(const struct obj_kind *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cmd[32], help[512];
	const char *name;
	unsigned int mode;
	int ret;

	snprintf(cmd, sizeof(cmd), "%s chmod", kind->object);
	snprintf(help, sizeof(help),
		 "Usage: kipc %s chmod NAME MODE\n"
		 "Set the permission bits of the %s NAME to MODE, in octal up to\n"
		 "0777. Only its owner or creator may, or a process with\n"
		 "CAP_IPC_OWNER.\n",
		 kind->object, kind->object);
	ret = parse_opts(cmd, argc, argv, opts, help, no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional(cmd, argc, argv, 1, &name);
	if (ret)
		return ret;
	if (argc - optind < 2)
		return usage_error("%s: missing MODE", cmd);
	ret = parse_mode(cmd, argv[optind + 1], &mode);
	if (ret)
		return ret;

	ret = kind->chmod(name, mode);
	return ret < 0 ? obj_fail(kind->object, name, -ret) : 0;
}

/* All decimal digits, fitting an ID other than (uid_t)-1. */
static bool parse_id(const char *s, unsigned int *id)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v >= UINT32_MAX)
			return false;
	}
	*id = (unsigned int)v;
	return true;
}

/*
 * USER, USER:GROUP, USER: (the user's login group) or :GROUP, each a name
 * or a number, as chown(1) takes them. A name wins over a number.
 */
static int parse_owner(const char *cmd, const char *arg, uid_t *uid,
		       gid_t *gid)
{
	const char *colon = strchr(arg, ':');
	char user[256], buf[4096];
	const char *group = colon ? colon + 1 : "";
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	size_t ulen = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned int id;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (!ulen && !*group)
		return usage_error("%s: invalid owner \"%s\" (USER[:GROUP])",
				   cmd, arg);
	if (ulen >= sizeof(user))
		return usage_error("%s: unknown user \"%.*s\"", cmd,
				   (int)ulen, arg);
	memcpy(user, arg, ulen);
	user[ulen] = '\0';

	if (ulen) {
		getpwnam_r(user, &pw, buf, sizeof(buf), &pwp);
		if (pwp)
			*uid = pwp->pw_uid;
		else if (parse_id(user, &id))
			*uid = id;
		else
			return usage_error("%s: unknown user \"%s\"", cmd, user);
		if (colon && !*group) {
			/* "USER:": the user's login group. */
			if (!pwp)
				getpwuid_r(*uid, &pw, buf, sizeof(buf), &pwp);
			if (!pwp)
				return usage_error("%s: user \"%s\" has no login group",
						   cmd, user);
			*gid = pwp->pw_gid;
		}
	}
	if (*group) {
		getgrnam_r(group, &gr, buf, sizeof(buf), &grp);
		if (grp)
			*gid = grp->gr_gid;
		else if (parse_id(group, &id))
			*gid = id;
		else
			return usage_error("%s: unknown group \"%s\"", cmd, group);
	}
	return 0;
}

int obj_chown(const struct obj_kind *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char cmd[32], help[640];
	const char *name;
	uid_t uid;
	gid_t gid;
	int ret;

	snprintf(cmd, sizeof(cmd), "%s chown", kind->object);
	snprintf(help, sizeof(help),
		 "Usage: kipc %s chown NAME USER[:GROUP]\n"
		 "       kipc %s chown NAME :GROUP\n"
		 "Give the %s NAME a new owner, group or both, each a name or a\n"
		 "number; USER: takes the user's login group. Only its owner or\n"
		 "creator may, or a process with CAP_IPC_OWNER.\n",
		 kind->object, kind->object, kind->object);
	ret = parse_opts(cmd, argc, argv, opts, help, no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional(cmd, argc, argv, 1, &name);
	if (ret)
		return ret;
	if (argc - optind < 2)
		return usage_error("%s: missing USER[:GROUP]", cmd);
	ret = parse_owner(cmd, argv[optind + 1], &uid, &gid);
	if (ret)
		return ret;

	ret = kind->chown(name, uid, gid);
	return ret < 0 ? obj_fail(kind->object, name, -ret) : 0;
}

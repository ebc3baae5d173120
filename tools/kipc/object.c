// SPDX-License-Identifier: GPL-2.0-only
/*
 * What kipc queue and kipc region share: show, list, chmod and chown by
 * name, over netlink through libkipc, so none needs a handle or access to
 * the object. Each object type describes itself in a struct obj_kind.
 */

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kipc.h>

#include "kipc.h"

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

void obj_fields(const struct obj_kind *kind, const struct kipc_obj_info *info)
{
	field_string("name", info->name);
	kind->fields(info);
	field_mode("mode", info->mode);
	field_uint("uid", info->uid);
	field_uint("gid", info->gid);
	field_uint("handles", info->handles);
	/* The same bit for queues and regions. */
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
	struct kipc_obj_info info;
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

	ret = kind->stat(name, &info);
	if (ret < 0)
		return obj_fail(kind->object, name, -ret);
	if (json_output)
		json_begin_object(NULL);
	obj_fields(kind, &info);
	if (json_output) {
		json_end_object();
		json_finish();
	}
	return 0;
}

/* ---- list ---- */

struct obj_array {
	struct kipc_obj_info *v;
	size_t n, cap;
};

static int obj_collect(const struct kipc_obj_info *info, void *arg)
{
	struct obj_array *a = arg;
	struct kipc_obj_info *p;

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		p = realloc(a->v, a->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		a->v = p;
	}
	a->v[a->n++] = *info;
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

#define LIST_COLS_MAX	12
#define LIST_COMMON	3	/* NAME, MODE, OWNER */

/*
 * Aligned columns, a header first: text left-aligned, the object's own
 * columns (figures) right-aligned.
 */
static void obj_print_table(const struct obj_kind *kind,
			    const struct obj_array *a)
{
	unsigned int ncols = LIST_COMMON + kind->ncolumns, c;
	static const char *const common[LIST_COMMON] = { "NAME", "MODE", "OWNER" };
	char (*cells)[LIST_COLS_MAX][KIPC_NAME_MAX + 1];
	size_t width[LIST_COLS_MAX];
	char kcell[LIST_COLS_MAX][CELL_MAX];

	cells = calloc(a->n + 1, sizeof(*cells));
	if (!cells) {
		errorf(kind->object, NULL, ENOMEM, NULL);
		return;
	}
	for (c = 0; c < ncols; c++)
		snprintf(cells[0][c], sizeof(cells[0][c]), "%s",
			 c < LIST_COMMON ? common[c] : kind->columns[c - LIST_COMMON]);
	for (size_t r = 0; r < a->n; r++) {
		const struct kipc_obj_info *i = &a->v[r];

		snprintf(cells[r + 1][0], sizeof(cells[0][0]), "%s", i->name);
		format_mode(cells[r + 1][1], sizeof(cells[0][1]), i->mode);
		format_owner(cells[r + 1][2], sizeof(cells[0][2]), i->uid, i->gid);
		kind->cells(i, kcell);
		for (c = 0; c < kind->ncolumns; c++)
			snprintf(cells[r + 1][LIST_COMMON + c], sizeof(cells[0][0]),
				 "%s", kcell[c]);
	}
	for (c = 0; c < ncols; c++) {
		width[c] = 0;
		for (size_t r = 0; r <= a->n; r++)
			if (strlen(cells[r][c]) > width[c])
				width[c] = strlen(cells[r][c]);
	}
	for (size_t r = 0; r <= a->n; r++) {
		for (c = 0; c < ncols; c++) {
			const char *sep = c ? "  " : "";

			if (c >= LIST_COMMON)
				printf("%s%*s", sep, (int)width[c], cells[r][c]);
			else if (c == ncols - 1)
				printf("%s%s", sep, cells[r][c]);
			else
				printf("%s%-*s", sep, (int)width[c], cells[r][c]);
		}
		putchar('\n');
	}
	free(cells);
}

int obj_list(const struct obj_kind *kind, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct obj_array a = { 0 };
	char cmd[32], help[512];
	int ret;

	snprintf(cmd, sizeof(cmd), "%s list", kind->object);
	snprintf(help, sizeof(help),
		 "Usage: kipc [-j] [-p] %s list\n"
		 "List the %ss of this IPC namespace, one line each, or a JSON\n"
		 "array with -j.\n",
		 kind->object, kind->object);
	ret = parse_opts(cmd, argc, argv, opts, help, no_opt, NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc)
		return usage_error("%s: unexpected argument \"%s\"", cmd,
				   argv[optind]);

	ret = kind->list(obj_collect, &a);
	if (ret < 0) {
		free(a.v);
		return obj_fail(kind->object, NULL, -ret);
	}
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
		obj_print_table(kind, &a);
	}
	free(a.v);
	return 0;
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

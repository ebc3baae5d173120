/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the kipc CLI's source files. */
#ifndef KIPC_CLI_H
#define KIPC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct kipc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

/* Global options, set once by main() before any command runs. */
extern bool json_output;
extern bool pretty_output;

int cmd_dispatch(const char *object, const struct kipc_cmd *cmds,
		 int argc, char **argv);
const struct kipc_cmd *cmd_lookup(const struct kipc_cmd *cmds,
				  const char *word, bool *ambiguous);
const char *escaped_arg(const char *arg);
bool is_help(const char *arg);
int errorf(const char *object, const char *name, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_uint(const char *opt, const char *arg, uint64_t max, bool size_suffix,
	       uint64_t *val);
int parse_mode(const char *opt, const char *arg, unsigned int *mode);
int bad_option(const char *cmd, int opt, char **argv);

/* Shared by the commands (util.c). */
struct option;
int parse_opts(const char *cmd, int argc, char **argv,
	       const struct option *opts, const char *help,
	       int (*opt_fn)(int opt, const char *arg, void *ctx), void *ctx);
int no_opt(int opt, const char *arg, void *ctx);
int positional(const char *cmd, int argc, char **argv, int max_extra,
	       const char **name);
int obj_fail(const char *object, const char *name, int err);
int abi_fail(void);
int read_stdin(size_t max, char **bufp, size_t *lenp);
void format_time(char *out, size_t size, uint64_t ns);
void format_size(char *out, size_t size, uint64_t bytes);
void format_mode(char *out, size_t size, uint32_t mode);

/* A small JSON writer for -j, in the spirit of bpftool's. */
void json_begin_object(const char *key);
void json_end_object(void);
void json_begin_array(const char *key);
void json_end_array(void);
void json_string(const char *key, const char *val);
void json_uint(const char *key, uint64_t val);
void json_int(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_bytes(const char *key, const void *buf, size_t len);
void json_finish(void);
bool json_fput_bytes(FILE *f, const void *buf, size_t len);

/* Safe output of names and payloads (escape.c). */
bool utf8_valid(const void *buf, size_t len);
void fput_escaped(FILE *f, const void *buf, size_t len);
void fput_escaped_ascii(FILE *f, const void *buf, size_t len);
void fput_sanitized(FILE *f, const void *buf, size_t len);
char *escape_text(const char *s);

int do_version(int argc, char **argv);
int do_queue(int argc, char **argv);
int do_region(int argc, char **argv);
int do_ring(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_purge(int argc, char **argv);

/*
 * What queues, regions and rings share (object.c): listing, inspection
 * and ownership by name, over netlink.
 */
#include <libkipc.h>

/* One object as listed or shown: its info, and a queue's state too. */
struct obj_row {
	struct kipc_obj_info info;
	struct kipc_queue_state state;
	bool has_state;		/* false for monitor events */
};

#define CELL_MAX	32
#define OBJ_COLS_MAX	16

/* A column of "list": its -o name, what it shows, its alignment. */
struct list_col {
	const char *name;
	const char *help;
	bool right;		/* figures: right-aligned */
	bool dflt;		/* shown without -o */
};

struct obj_kind {
	const char *object;		/* "queue", "region" or "ring" */
	int (*list)(int (*cb)(const struct obj_row *row, void *arg), void *arg);
	int (*stat)(const char *name, struct obj_row *row);
	/* NULL for rings, which the family cannot change. */
	int (*chmod)(const char *name, mode_t mode);
	int (*chown)(const char *name, uid_t uid, gid_t gid);
	/* The list's columns after those every object has. */
	const struct list_col *columns;
	unsigned int ncolumns;
	/* Fills one cell per column. */
	void (*cells)(const struct obj_row *row, char (*cell)[CELL_MAX]);
	/* The members after the name, before those every object has. */
	void (*fields)(const struct obj_row *row);
};

extern const struct obj_kind queue_kind;
int queue_list_rows(int (*cb)(const struct obj_row *row, void *arg),
		    void *arg);
int queue_top(int argc, char **argv);
extern const struct obj_kind region_kind;
extern const struct obj_kind ring_kind;
int ring_list(int argc, char **argv);
int ring_show(int argc, char **argv);

/*
 * Members of an object: in JSON mode (-j) JSON members of the object open,
 * else aligned "key value" lines.
 */
extern int field_width;	/* of the key column in text; 12 by default */
void field_string(const char *key, const char *val);
void field_name(const char *key, const char *val);
void field_uint(const char *key, uint64_t val);
void field_bool(const char *key, bool val);
void field_mode(const char *key, uint32_t mode);
/* ns as a number under json_key, as a UTC time under text_key. */
void field_time(const char *json_key, const char *text_key, uint64_t ns);

/* Every member of an object, for show, list -j and monitor -j. */
void obj_fields(const struct obj_kind *kind, const struct obj_row *row);
int obj_show(const struct obj_kind *kind, int argc, char **argv);
int obj_list(const struct obj_kind *kind, int argc, char **argv);
int obj_chmod(const struct obj_kind *kind, int argc, char **argv);
int obj_chown(const struct obj_kind *kind, int argc, char **argv);

#endif /* KIPC_CLI_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the kipc CLI's source files. */
#ifndef KIPC_CLI_H
#define KIPC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
bool is_help(const char *arg);
int errorf(const char *object, const char *name, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_uint(const char *opt, const char *arg, uint64_t max, bool size_suffix,
	       uint64_t *val);
int parse_mode(const char *opt, const char *arg, unsigned int *mode);
int bad_option(const char *cmd, int opt, char **argv);

/* A small JSON writer for -j, in the spirit of bpftool's. */
void json_begin_object(const char *key);
void json_end_object(void);
void json_string(const char *key, const char *val);
void json_uint(const char *key, uint64_t val);
void json_int(const char *key, int64_t val);
void json_bool(const char *key, bool val);
void json_bytes(const char *key, const void *buf, size_t len);
void json_finish(void);

int do_version(int argc, char **argv);
int do_queue(int argc, char **argv);

#endif /* KIPC_CLI_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal JSON output for the CLI: nested objects and arrays of strings,
 * numbers, booleans and byte strings, compact by default and indented
 * with -p.
 */

#include <stdio.h>

#include "kipc.h"

#define JSON_MAX_DEPTH 16

static int depth;
static bool need_comma[JSON_MAX_DEPTH];

static void json_indent(void)
{
	if (!pretty_output)
		return;
	putchar('\n');
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void json_key(const char *key)
{
	if (need_comma[depth])
		putchar(',');
	need_comma[depth] = true;
	json_indent();
	if (key)
		printf(pretty_output ? "\"%s\": " : "\"%s\":", key);
}

static void json_escaped(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void json_begin_object(const char *key)
{
	if (depth > 0 || key)
		json_key(key);
	putchar('{');
	if (depth < JSON_MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

void json_end_object(void)
{
	if (depth > 0)
		depth--;
	json_indent();
	putchar('}');
}

void json_begin_array(const char *key)
{
	if (depth > 0 || key)
		json_key(key);
	putchar('[');
	if (depth < JSON_MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

void json_end_array(void)
{
	bool empty = !need_comma[depth];

	if (depth > 0)
		depth--;
	if (!empty)
		json_indent();
	putchar(']');
}

void json_string(const char *key, const char *val)
{
	json_key(key);
	json_escaped(val);
}

void json_uint(const char *key, uint64_t val)
{
	json_key(key);
	printf("%llu", (unsigned long long)val);
}

void json_finish(void)
{
	putchar('\n');
	depth = 0;
	need_comma[0] = false;
}

void json_int(const char *key, int64_t val)
{
	json_key(key);
	printf("%lld", (long long)val);
}

void json_bool(const char *key, bool val)
{
	json_key(key);
	fputs(val ? "true" : "false", stdout);
}

/*
 * Arbitrary bytes as a JSON string: printable ASCII stays as it is, every
 * other byte becomes \u00XX, so each character maps back to one byte.
 */
void json_bytes(const char *key, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	json_key(key);
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] > 0x7e)
			printf("\\u%04x", p[i]);
		else
			putchar(p[i]);
	}
	putchar('"');
}

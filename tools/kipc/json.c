// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal JSON output for the CLI: nested objects and arrays of strings,
 * numbers, booleans and byte strings, compact by default and indented
 * with -p.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	/* Keys are the CLI's own, plain ASCII. */
	if (key)
		printf(pretty_output ? "\"%s\": " : "\"%s\":", key);
}

/*
 * A JSON string of valid UTF-8: JSON's escapes for the quote, the
 * backslash and C0 controls, and \uXXXX also for DEL, the C1 controls and
 * the two line separators, so that no control character reaches a
 * terminal that shows the JSON, and JavaScript takes it too.
 */
static void json_utf8(FILE *f, const unsigned char *p, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c == 0xc2 && i + 1 < len && p[i + 1] < 0xa0) {
			fprintf(f, "\\u%04x", p[++i]);		/* U+0080..U+009F */
		} else if (c == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
			   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			fprintf(f, "\\u%04x", 0x2000 | (p[i + 2] - 0x80));
			i += 2;
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/*
 * Any bytes as a JSON string, to f: as they are when they are UTF-8, else
 * escaped as text (escape.c). Returns whether they needed escaping.
 */
bool json_fput_bytes(FILE *f, const void *buf, size_t len)
{
	char *esc = NULL;
	size_t size = 0;
	FILE *m;

	if (utf8_valid(buf, len)) {
		json_utf8(f, buf, len);
		return false;
	}
	m = open_memstream(&esc, &size);
	if (m) {
		fput_escaped_ascii(m, buf, len);
		if (fclose(m))
			size = 0;
	}
	json_utf8(f, (const unsigned char *)(esc ? esc : ""), esc ? size : 0);
	free(esc);
	return true;
}

static void json_escaped(const char *s)
{
	json_fput_bytes(stdout, s, strlen(s));
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
 * A byte string under key: as it is when it is UTF-8; else escaped as
 * text, and its exact bytes in hex under "<key>_hex" (escape.c).
 */
void json_bytes(const char *key, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	char hexkey[64];

	json_key(key);
	if (!json_fput_bytes(stdout, buf, len))
		return;
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key ? key : "");
	json_key(hexkey);
	putchar('"');
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	putchar('"');
}

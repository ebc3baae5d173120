// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names and payloads are arbitrary bytes, and any user who can create a
 * queue chooses them: nothing of theirs may reach a terminal or a JSON
 * consumer as it is. This file holds the two encodings every output path
 * uses.
 *
 * Text: printable ASCII as it is, a backslash doubled, and every other
 * byte as \xNN, except a valid, printable multibyte character of the
 * locale's (so "jöbs" reads as "jöbs" under a UTF-8 locale). C0 and C1
 * controls, DEL and bytes that are not UTF-8 are therefore always escaped.
 *
 * JSON: strings must be UTF-8 (RFC 8259), so a byte string that is valid
 * UTF-8 is written as it is, with JSON's own escapes; one that is not is
 * written as text in the encoding above, which is pure ASCII, and its
 * exact bytes go beside it in hex under KEY_hex. A consumer that finds no
 * KEY_hex member has the exact bytes in KEY.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "cli.h"

/*
 * The length of the valid UTF-8 sequence at p, or 0: no overlong forms,
 * no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t utf8_seq(const unsigned char *p, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (len < n)
		return 0;
	/* The second byte's range is what rules out the bad forms. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

bool utf8_valid(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* The printable multibyte character of the locale's at p, or 0. */
static size_t printable_mb(const unsigned char *p, size_t len)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	if (MB_CUR_MAX == 1 || p[0] < 0x80)
		return 0;
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, (const char *)p, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || !n || !iswprint((wint_t)wc))
		return 0;
	return n;
}

void fput_escaped(FILE *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] == '\\') {
			fputs("\\\\", f);
			i++;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			fputc(p[i++], f);
		} else if ((n = printable_mb(p + i, len - i))) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\x%02x", p[i++]);
		}
	}
}

/*
 * The last guard before a message reaches a terminal: controls and bytes
 * the locale cannot show become \xNN, and everything else, backslashes
 * included, is left as it is, so text that was escaped already passes
 * through unchanged while a user's argument that no caller escaped still
 * cannot carry an escape sequence.
 */
void fput_sanitized(FILE *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			fputc(p[i++], f);
		} else if ((n = printable_mb(p + i, len - i))) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\x%02x", p[i++]);
		}
	}
}

char *escape_text(const char *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	fput_escaped(f, s, strlen(s));
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/* The ASCII-only escaped form, whatever the locale, for JSON. */
void fput_escaped_ascii(FILE *f, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], f);
		else
			fprintf(f, "\\x%02x", p[i]);
	}
}

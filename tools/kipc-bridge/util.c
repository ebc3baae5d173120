// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both directions share: logging to stderr or syslog, the crash
 * hook the tests use, backoff, name encoding and hashing.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

static bool log_syslog;
static bool log_journal;
static bool log_verbose;

/*
 * Whether stderr is the journal's stream, as systemd says in
 * $JOURNAL_STREAM ("DEVICE:INODE" of the descriptor it gave us). There
 * the journal stamps the name and pid itself, and reads the level from a
 * "<N>" prefix (sd-daemon(3)); our own prefix would be there twice.
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_open(bool use_syslog, bool verbose)
{
	log_syslog = use_syslog;
	log_journal = !use_syslog && stderr_is_journal();
	log_verbose = verbose;
	if (use_syslog)
		openlog("kipc-bridge", LOG_PID, LOG_DAEMON);
}

static void log_v(int level, const char *fmt, va_list ap)
{
	if (log_syslog) {
		vsyslog(level, fmt, ap);
		return;
	}
	if (log_journal)
		fprintf(stderr, "<%d>", level);
	else
		fprintf(stderr, "kipc-bridge[%d]: ", (int)getpid());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_ERR, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_v(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Whether the test hook in $var names @point, and this is its n-th pass. */
static bool test_point(const char *var, const char *point,
		       unsigned long *hits)
{
	const char *env = getenv(var);
	size_t n = strlen(point);
	unsigned long want = 1;

	if (!env || strncmp(env, point, n) || (env[n] && env[n] != ':'))
		return false;
	if (env[n] == ':')
		want = strtoul(env + n + 1, NULL, 10);
	return ++*hits == want;
}

void crash_point(const char *point)
{
	static unsigned long hits;

	if (test_point("KIPC_BRIDGE_CRASH", point, &hits)) {
		log_info("KIPC_BRIDGE_CRASH=%s: killing myself",
			 getenv("KIPC_BRIDGE_CRASH"));
		raise(SIGKILL);
	}
}

bool drop_point(const char *point)
{
	static unsigned long hits;

	if (!test_point("KIPC_BRIDGE_DROP", point, &hits))
		return false;
	log_info("KIPC_BRIDGE_DROP=%s: losing this one on the way",
		 getenv("KIPC_BRIDGE_DROP"));
	return true;
}

void backoff_sleep(unsigned int *attempt)
{
	unsigned int ms = 100u << (*attempt < 6 ? *attempt : 6);

	if (ms > 5000)
		ms = 5000;
	(*attempt)++;
	usleep(ms * 1000);
}

void name_encode(char *out, size_t size, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') ||
			     (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '-';

		if (o + 4 > size)
			break;
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '_';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

uint64_t id_hash(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h ? h : 1;
}

struct timespec deadline_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/*
 * A queue's incarnation id tells its incarnations apart: seq restarts at
 * 1 in a queue made again under the same name, and the Msg-Id must not
 * repeat. The name is asked through netlink; a module too old to report
 * the id gives the creation time instead, as before.
 */
int queue_incarnation(const char *name, uint64_t *incarnation)
{
	struct kipc_obj_info info;
	int ret = kipc_queue_stat(name, &info);

	if (ret < 0)
		return ret;
	*incarnation = info.id ? info.id : info.ctime_ns;
	return 0;
}

/* The same, of the queue a handle is bound to: no race with the name. */
uint64_t handle_incarnation(const struct kipc_queue_attr *qa,
			    uint64_t by_name)
{
	return qa->id ? qa->id : by_name;
}

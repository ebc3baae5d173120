// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc queue: create, send to, receive from, list, show, chmod, chown and
 * delete message queues, through libkipc.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <libkipc.h>

#include "cli.h"

/* Largest --timeout, in ms, that a CLOCK_MONOTONIC deadline can hold. */
#define TIMEOUT_MS_MAX	((uint64_t)INT64_MAX / 1000000)

/* Long-only options take values from here, clear of any short option. */
enum {
	OPT_MAX_MSGS = 256,
	OPT_MSG_SIZE,
	OPT_MODE,
	OPT_AUTO_DELETE,
	OPT_PRIO,
	OPT_TYPE,
	OPT_EXCEPT,
	OPT_NONBLOCK,
	OPT_TIMEOUT,
	OPT_LINES,
	OPT_COUNT,
	OPT_PEEK,
	OPT_TRUNC,
	OPT_SIZE,
	OPT_CHANNEL,
	OPT_BROADCAST,
	OPT_DROP_OLDEST,
	OPT_NO_POLL,
};

static int queue_fail(const char *name, int err)
{
	return obj_fail("queue", name, err);
}

/* ---- create ---- */

static const char create_help[] =
	"Usage: kipc queue create NAME [--max-msgs N] [--msg-size B] [--mode MODE]\n"
	"                         [--auto-delete] [--no-poll]\n"
	"                         [--channel | --broadcast [--drop-oldest]]\n"
	"Create the message queue NAME, which must not exist yet.\n"
	"  --max-msgs N    capacity in messages (default: the module's)\n"
	"  --msg-size B    largest message in bytes, K, M and G suffixes allowed\n"
	"                  (default: the module's)\n"
	"  --mode MODE     octal permission bits (default 0600)\n"
	"  --auto-delete   delete the queue when its last handle closes\n"
	"  --no-poll       a blocked send or receive sleeps at once instead of\n"
	"                  polling briefly first: less CPU, slower wake-ups\n"
	"  --channel       one reader and one writer; end of file once the\n"
	"                  writer has gone and the queue is drained, EPIPE once\n"
	"                  the reader has gone\n"
	"  --broadcast     every reader receives every message; each reader's\n"
	"                  backlog holds at most the capacity\n"
	"  --drop-oldest   with --broadcast: a slow reader loses its oldest\n"
	"                  message instead of holding the writer back\n";

struct create_ctx {
	struct kipc_queue_config cfg;
	unsigned int mode;
};

static int create_opt(int opt, const char *arg, void *p)
{
	struct create_ctx *c = p;
	uint64_t v;
	int ret;

	switch (opt) {
	case OPT_MAX_MSGS:
	case OPT_MSG_SIZE:
		ret = parse_uint(opt == OPT_MAX_MSGS ? "--max-msgs" : "--msg-size",
				 arg, UINT32_MAX, opt == OPT_MSG_SIZE, &v);
		if (ret)
			return ret;
		if (!v)
			return usage_error("%s: must be at least 1",
					   opt == OPT_MAX_MSGS ? "--max-msgs" :
								 "--msg-size");
		if (opt == OPT_MAX_MSGS)
			c->cfg.max_msgs = (uint32_t)v;
		else
			c->cfg.max_msg_size = (uint32_t)v;
		return 0;
	case OPT_MODE:
		return parse_mode("--mode", arg, &c->mode);
	case OPT_AUTO_DELETE:
		c->cfg.flags |= KIPC_QUEUE_AUTO_DELETE;
		return 0;
	case OPT_CHANNEL:
		c->cfg.flags |= KIPC_QUEUE_CHANNEL;
		return 0;
	case OPT_BROADCAST:
		c->cfg.flags |= KIPC_QUEUE_BROADCAST;
		return 0;
	case OPT_DROP_OLDEST:
		c->cfg.flags |= KIPC_QUEUE_DROP_OLDEST;
		return 0;
	case OPT_NO_POLL:
		c->cfg.flags |= KIPC_QUEUE_NOPOLL;
		return 0;
	}
	return 2;
}

static int queue_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-msgs", required_argument, NULL, OPT_MAX_MSGS },
		{ "msg-size", required_argument, NULL, OPT_MSG_SIZE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "auto-delete", no_argument, NULL, OPT_AUTO_DELETE },
		{ "channel", no_argument, NULL, OPT_CHANNEL },
		{ "broadcast", no_argument, NULL, OPT_BROADCAST },
		{ "drop-oldest", no_argument, NULL, OPT_DROP_OLDEST },
		{ "no-poll", no_argument, NULL, OPT_NO_POLL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_ctx c = { .mode = 0600 };
	const char *name;
	int ret, fd;

	ret = parse_opts("queue create", argc, argv, opts, create_help,
			 create_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("queue create", argc, argv, 0, &name);
	if (ret)
		return ret;
	if ((c.cfg.flags & KIPC_QUEUE_CHANNEL) &&
	    (c.cfg.flags & KIPC_QUEUE_BROADCAST))
		return usage_error("queue create: --channel and --broadcast exclude each other");
	if ((c.cfg.flags & KIPC_QUEUE_DROP_OLDEST) &&
	    !(c.cfg.flags & KIPC_QUEUE_BROADCAST))
		return usage_error("queue create: --drop-oldest needs --broadcast");

	fd = kipc_queue_open(name, O_RDWR | O_CREAT | O_EXCL, c.mode, &c.cfg);
	if (fd == -EMFILE) {
		struct rlimit rl;

		/*
		 * What EMFILE means here, as for mq_open(): the per-user
		 * RLIMIT_MSGQUEUE (800 KiB by default: five default
		 * queues) cannot cover the capacity. Say so, and what helps.
		 */
		getrlimit(RLIMIT_MSGQUEUE, &rl);
		errorf("queue", name, EMFILE,
		       "RLIMIT_MSGQUEUE cannot cover its capacity");
		if (!json_output && rl.rlim_cur != RLIM_INFINITY)
			fprintf(stderr,
				"kipc: hint: every queue of this user is charged its capacity (max-msgs x msg-size)\n"
				"kipc: hint: against RLIMIT_MSGQUEUE, %llu bytes here: delete queues, create smaller\n"
				"kipc: hint: ones (--max-msgs, --msg-size), or raise it (ulimit -q, limits.conf)\n",
				(unsigned long long)rl.rlim_cur);
		return 1;
	}
	if (fd < 0)
		return queue_fail(name, -fd);
	kipc_queue_close(fd);
	return 0;
}

/* ---- send ---- */

static const char send_help[] =
	"Usage: kipc queue send NAME [--prio P] [--type T] [--nonblock]\n"
	"                       [--timeout MS] [--lines] [MESSAGE | -]\n"
	"Send MESSAGE to the queue NAME. Without MESSAGE, or with -, send\n"
	"standard input: all of it as one message, or with --lines one message\n"
	"per line, without its newline.\n"
	"  --prio P        priority, 0 (default) to 31; higher is received first\n"
	"  --type T        message type, any 64-bit number (default 0)\n"
	"  --nonblock      fail instead of waiting while the queue is full\n"
	"  --timeout MS    wait at most MS milliseconds in all\n"
	"  --lines         one message per line of standard input\n";

struct io_ctx {
	uint64_t prio, type, count, timeout_ms, size;
	bool has_type, except, nonblock, has_timeout, lines, peek, trunc;
};

static int io_opt(int opt, const char *arg, void *p)
{
	struct io_ctx *c = p;

	switch (opt) {
	case OPT_PRIO:
		return parse_uint("--prio", arg, KIPC_PRIO_MAX - 1, false,
				  &c->prio);
	case OPT_TYPE:
		c->has_type = true;
		return parse_uint("--type", arg, UINT64_MAX, false, &c->type);
	case OPT_EXCEPT:
		c->except = true;
		return 0;
	case OPT_NONBLOCK:
		c->nonblock = true;
		return 0;
	case OPT_TIMEOUT:
		c->has_timeout = true;
		return parse_uint("--timeout", arg, TIMEOUT_MS_MAX, false,
				  &c->timeout_ms);
	case OPT_LINES:
		c->lines = true;
		return 0;
	case OPT_COUNT:
		if (parse_uint("--count", arg, UINT32_MAX, false, &c->count))
			return 2;
		return c->count ? 0 : usage_error("--count: must be at least 1");
	case OPT_PEEK:
		c->peek = true;
		return 0;
	case OPT_TRUNC:
		c->trunc = true;
		return 0;
	case OPT_SIZE:
		if (parse_uint("--size", arg, UINT32_MAX, true, &c->size))
			return 2;
		return c->size ? 0 : usage_error("--size: must be at least 1");
	}
	return 2;
}

static int send_lines(int fd, const char *name, const struct io_ctx *c,
		      unsigned int flags, const struct timespec *deadline)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		ret = kipc_queue_send_flags(fd, line, (size_t)n,
					    (unsigned int)c->prio, c->type,
					    flags, deadline);
		if (ret < 0) {
			ret = queue_fail(name, -ret);
			break;
		}
	}
	if (!ret && ferror(stdin))
		ret = errorf("queue", name, EIO, "cannot read standard input");
	free(line);
	return ret;
}

static int queue_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prio", required_argument, NULL, OPT_PRIO },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "nonblock", no_argument, NULL, OPT_NONBLOCK },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct io_ctx c = { 0 };
	struct kipc_queue_attr attr;
	struct timespec deadline, *dl = NULL;
	const char *name, *msg = NULL;
	unsigned int flags = 0;
	char *buf = NULL;
	size_t len;
	int ret, fd;

	ret = parse_opts("queue send", argc, argv, opts, send_help, io_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("queue send", argc, argv, 1, &name);
	if (ret)
		return ret;
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-"))
		msg = argv[optind + 1];
	if (msg && c.lines)
		return usage_error("queue send: --lines reads standard input; give no MESSAGE");
	if (c.nonblock)
		flags |= KIPC_IO_NONBLOCK;

	fd = kipc_queue_open(name, O_WRONLY, 0, NULL);
	if (fd < 0)
		return queue_fail(name, -fd);
	/* --timeout is at most TIMEOUT_MS_MAX: the library cannot refuse it. */
	if (c.has_timeout) {
		kipc_deadline_ms(&deadline, (int64_t)c.timeout_ms);
		dl = &deadline;
	}

	if (msg) {
		ret = kipc_queue_send_flags(fd, msg, strlen(msg),
					    (unsigned int)c.prio, c.type,
					    flags, dl);
		ret = ret < 0 ? queue_fail(name, -ret) : 0;
	} else if (c.lines) {
		ret = send_lines(fd, name, &c, flags, dl);
	} else {
		ret = kipc_queue_getattr(fd, &attr);
		if (!ret)
			ret = read_stdin(attr.max_msg_size, &buf, &len);
		if (!ret)
			ret = kipc_queue_send_flags(fd, buf, len,
						    (unsigned int)c.prio,
						    c.type, flags, dl);
		ret = ret < 0 ? queue_fail(name, -ret) : 0;
		free(buf);
	}
	kipc_queue_close(fd);
	return ret;
}

/* ---- recv ---- */

static const char recv_help[] =
	"Usage: kipc queue recv NAME [--type T [--except]] [--count N]\n"
	"                       [--timeout MS] [--nonblock] [--peek] [--trunc]\n"
	"                       [--size B]\n"
	"Receive messages from the queue NAME and print each with its metadata:\n"
	"a line of text, or a JSON object per line with -j.\n"
	"  --type T        only messages of type T\n"
	"  --except        with --type, only messages of any other type\n"
	"  --count N       receive N messages (default 1)\n"
	"  --timeout MS    wait at most MS milliseconds in all\n"
	"  --nonblock      fail instead of waiting while no message is ready\n"
	"  --peek          print the message but leave it queued\n"
	"  --trunc         take a message larger than the buffer, cut short\n"
	"  --size B        receive buffer in bytes, K, M and G suffixes allowed\n"
	"                  (default: the queue's largest message)\n";

static void print_msg(const struct kipc_msg_info *mi, const void *buf,
		      size_t copied)
{
	char when[64];

	if (json_output) {
		json_begin_object(NULL);
		json_uint("seq", mi->seq);
		json_uint("prio", mi->prio);
		json_uint("type", mi->type);
		json_int("pid", mi->pid);
		json_int("tid", mi->tid);
		json_uint("uid", mi->uid);
		json_uint("gid", mi->gid);
		json_uint("time_ns", mi->time_ns);
		json_uint("len", mi->len);
		json_bytes("data", buf, copied);
		json_end_object();
		json_finish();
	} else {
		format_time(when, sizeof(when), mi->time_ns);
		printf("seq %" PRIu64 " prio %u type %" PRIu64
		       " pid %d tid %d uid %u gid %u time %s len %zu: ",
		       mi->seq, mi->prio, mi->type, (int)mi->pid, (int)mi->tid,
		       (unsigned int)mi->uid, (unsigned int)mi->gid, when,
		       mi->len);
		fput_escaped(stdout, buf, copied);
		putchar('\n');
	}
	/* Each message shows as soon as it arrives, even into a pipe. */
	fflush(stdout);
}

static int queue_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "except", no_argument, NULL, OPT_EXCEPT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "nonblock", no_argument, NULL, OPT_NONBLOCK },
		{ "peek", no_argument, NULL, OPT_PEEK },
		{ "trunc", no_argument, NULL, OPT_TRUNC },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct io_ctx c = { .count = 1 };
	struct kipc_queue_attr attr;
	struct kipc_msg_info mi;
	struct timespec deadline, *dl = NULL;
	unsigned int flags = 0;
	const char *name;
	size_t size;
	void *buf;
	int ret, fd;

	ret = parse_opts("queue recv", argc, argv, opts, recv_help, io_opt, &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("queue recv", argc, argv, 0, &name);
	if (ret)
		return ret;
	if (c.except && !c.has_type)
		return usage_error("queue recv: --except needs --type");
	if (c.has_type)
		flags |= c.except ? KIPC_IO_TYPE_EXCEPT : KIPC_IO_TYPE_EXACT;
	if (c.nonblock)
		flags |= KIPC_IO_NONBLOCK;
	if (c.peek)
		flags |= KIPC_IO_PEEK;
	if (c.trunc)
		flags |= KIPC_IO_TRUNC;

	fd = kipc_queue_open(name, O_RDONLY, 0, NULL);
	if (fd < 0)
		return queue_fail(name, -fd);
	ret = kipc_queue_getattr(fd, &attr);
	if (ret < 0) {
		kipc_queue_close(fd);
		return queue_fail(name, -ret);
	}
	size = c.size ? c.size : attr.max_msg_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		kipc_queue_close(fd);
		return queue_fail(name, ENOMEM);
	}
	/* --timeout is at most TIMEOUT_MS_MAX: the library cannot refuse it. */
	if (c.has_timeout) {
		kipc_deadline_ms(&deadline, (int64_t)c.timeout_ms);
		dl = &deadline;
	}

	for (uint64_t i = 0; i < c.count; i++) {
		ret = kipc_queue_recv_flags(fd, buf, size, &mi, flags, c.type,
					    dl);
		if (ret == -EMSGSIZE && mi.len) {
			ret = errorf("queue", name, EMSGSIZE,
				     "a message of %zu bytes exceeds the %zu-byte buffer",
				     mi.len, size);
			break;
		}
		if (ret < 0) {
			ret = queue_fail(name, -ret);
			break;
		}
		print_msg(&mi, buf, (size_t)ret < size ? (size_t)ret : size);
		ret = 0;
	}
	free(buf);
	kipc_queue_close(fd);
	return ret;
}

/* ---- watch ---- */

static const char watch_help[] =
	"Usage: kipc queue watch NAME [--count N]\n"
	"Wait for messages on the queue NAME and print each as it arrives, as\n"
	"'recv' does, until interrupted or N messages were printed. The wait is\n"
	"the queue's arrival notification (a signal, as with mq_notify()), so\n"
	"the watcher holds no receive open while the queue is idle.\n"
	"  --count N       stop after N messages\n";

/* Takes every message that is there now; returns how many, or -errno. */
static int watch_drain(int fd, void *buf, size_t size, uint64_t left)
{
	struct kipc_msg_info mi;
	uint64_t n = 0;
	int ret;

	while (n < left) {
		ret = kipc_queue_recv_flags(fd, buf, size, &mi, KIPC_IO_NONBLOCK,
					    0, NULL);
		if (ret == -EAGAIN)
			break;
		if (ret < 0)
			return ret;
		print_msg(&mi, buf, (size_t)ret < size ? (size_t)ret : size);
		fflush(stdout);
		n++;
	}
	return (int)n;
}

static int queue_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct io_ctx c = { .count = UINT64_MAX };
	struct kipc_queue_attr attr;
	const char *name;
	sigset_t set;
	size_t size;
	void *buf;
	int ret, fd;

	ret = parse_opts("queue watch", argc, argv, opts, watch_help, io_opt,
			 &c);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("queue watch", argc, argv, 0, &name);
	if (ret)
		return ret;

	fd = kipc_queue_open(name, O_RDONLY, 0, NULL);
	if (fd < 0)
		return queue_fail(name, -fd);
	ret = kipc_queue_getattr(fd, &attr);
	if (ret < 0) {
		kipc_queue_close(fd);
		return queue_fail(name, -ret);
	}
	size = attr.max_msg_size ? attr.max_msg_size : 1;
	buf = malloc(size);
	if (!buf) {
		kipc_queue_close(fd);
		return queue_fail(name, ENOMEM);
	}

	/* The notification arrives as a blocked signal, taken synchronously. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	while (c.count) {
		/* Register first, then drain: a later arrival always signals. */
		ret = kipc_queue_notify(fd, SIGUSR1, 0);
		if (ret == -EBUSY) {
			ret = errorf("queue", name, EBUSY,
				     "someone else is watching it");
			break;
		}
		if (ret < 0) {
			ret = queue_fail(name, -ret);
			break;
		}
		ret = watch_drain(fd, buf, size, c.count);
		if (ret < 0) {
			ret = queue_fail(name, -ret);
			break;
		}
		c.count -= (uint64_t)ret;
		ret = 0;
		if (!c.count)
			break;
		if (sigwaitinfo(&set, NULL) < 0 && errno != EINTR) {
			ret = queue_fail(name, errno);
			break;
		}
	}
	free(buf);
	kipc_queue_close(fd);
	return ret < 0 ? 1 : ret;
}

/* ---- show, list, chmod, chown ---- */

/* A peer's process and time, "none" before the first. */
static void field_peer(const char *what, int32_t pid, uint64_t ns)
{
	char key[32];

	snprintf(key, sizeof(key), "last_%s_pid", what);
	field_uint(key, (uint64_t)(uint32_t)pid);
	if (json_output) {
		snprintf(key, sizeof(key), "last_%s_ns", what);
		json_uint(key, ns);
		return;
	}
	snprintf(key, sizeof(key), "last_%s", what);
	if (ns)
		field_time(NULL, key, ns);
	else
		field_string(key, "none");
}

/* What a stuck queue's onlooker needs: who waits, who listens, who was last. */
static void queue_state_fields(const struct kipc_queue_state *s)
{
	char buf[64];

	field_uint("recv_waiters", s->recv_waiters);
	field_uint("send_waiters", s->send_waiters);
	if (json_output) {
		json_int("notify_tid", s->notify_tid);
		json_int("notify_signal", s->notify_signo);
	} else {
		if (s->notify_signo)
			snprintf(buf, sizeof(buf), "tid %d signal %d",
				 (int)s->notify_tid, (int)s->notify_signo);
		else
			snprintf(buf, sizeof(buf), "none");
		field_string("notify", buf);
	}
	field_peer("send", s->last_send_pid, s->last_send_ns);
	field_peer("recv", s->last_recv_pid, s->last_recv_ns);
}

static void queue_fields(const struct obj_row *row)
{
	const struct kipc_obj_info *i = &row->info;

	field_uint("max_msgs", i->max_msgs);
	field_uint("max_msg_size", i->max_msg_size);
	field_uint("cur_msgs", i->cur_msgs);
	field_uint("cur_bytes", i->cur_bytes);
	field_uint("sent", i->sent);
	field_uint("received", i->received);
	field_uint("failed", i->failed);
	field_uint("dropped", i->dropped);
	field_uint("id", i->id);
	field_bool("channel", i->flags & KIPC_QUEUE_CHANNEL);
	field_bool("broadcast", i->flags & KIPC_QUEUE_BROADCAST);
	field_bool("drop_oldest", i->flags & KIPC_QUEUE_DROP_OLDEST);
	field_bool("nopoll", i->flags & KIPC_QUEUE_NOPOLL);
	if (row->has_state)
		queue_state_fields(&row->state);
}

static const struct list_col queue_columns[] = {
	{ "MSGS", "messages queued/capacity", true, true },
	{ "MSGSIZE", "largest message", true, true },
	{ "SENT", "messages sent", true, true },
	{ "RECEIVED", "messages received", true, true },
	{ "HANDLES", "bound handles", true, true },
	{ "BYTES", "bytes queued", true, false },
	{ "FAILED", "failed sends and receives", true, false },
	{ "DROPPED", "broadcast messages lost by slow readers", true, false },
	{ "TYPE", "plain, channel or broadcast", false, false },
	{ "RWAIT", "receivers blocked now", true, false },
	{ "SWAIT", "senders blocked now", true, false },
	{ "ID", "incarnation id, new at each creation", true, false },
};

static void queue_cells(const struct obj_row *row, char (*cell)[CELL_MAX])
{
	const struct kipc_obj_info *i = &row->info;

	snprintf(cell[0], CELL_MAX, "%u/%u", i->cur_msgs, i->max_msgs);
	format_size(cell[1], CELL_MAX, i->max_msg_size);
	snprintf(cell[2], CELL_MAX, "%" PRIu64, i->sent);
	snprintf(cell[3], CELL_MAX, "%" PRIu64, i->received);
	snprintf(cell[4], CELL_MAX, "%u", i->handles);
	snprintf(cell[5], CELL_MAX, "%" PRIu64, i->cur_bytes);
	snprintf(cell[6], CELL_MAX, "%" PRIu64, i->failed);
	snprintf(cell[7], CELL_MAX, "%" PRIu64, i->dropped);
	snprintf(cell[8], CELL_MAX, "%s",
		 i->flags & KIPC_QUEUE_CHANNEL ? "channel" :
		 i->flags & KIPC_QUEUE_BROADCAST ? "broadcast" : "plain");
	snprintf(cell[9], CELL_MAX, "%u", row->state.recv_waiters);
	snprintf(cell[10], CELL_MAX, "%u", row->state.send_waiters);
	snprintf(cell[11], CELL_MAX, "%" PRIu64, i->id);
}

struct queue_list_arg {
	int (*cb)(const struct obj_row *row, void *arg);
	void *arg;
};

static int queue_row(const struct kipc_obj_info *info,
		     const struct kipc_queue_state *state, void *p)
{
	struct queue_list_arg *a = p;
	struct obj_row row = { .info = *info, .state = *state,
			       .has_state = true };

	return a->cb(&row, a->arg);
}

int queue_list_rows(int (*cb)(const struct obj_row *row, void *arg),
		    void *arg)
{
	struct queue_list_arg a = { cb, arg };

	return kipc_queue_inspect_all(queue_row, &a);
}

static int queue_stat_row(const char *name, struct obj_row *row)
{
	memset(row, 0, sizeof(*row));
	row->has_state = true;
	return kipc_queue_inspect(name, &row->info, &row->state);
}

const struct obj_kind queue_kind = {
	.object = "queue",
	.list = queue_list_rows,
	.stat = queue_stat_row,
	.chmod = kipc_queue_chmod,
	.chown = kipc_queue_chown,
	.columns = queue_columns,
	.ncolumns = sizeof(queue_columns) / sizeof(queue_columns[0]),
	.cells = queue_cells,
	.fields = queue_fields,
};

static int queue_show(int argc, char **argv)
{
	return obj_show(&queue_kind, argc, argv);
}

static int queue_list(int argc, char **argv)
{
	return obj_list(&queue_kind, argc, argv);
}

static int queue_chmod(int argc, char **argv)
{
	return obj_chmod(&queue_kind, argc, argv);
}

static int queue_chown(int argc, char **argv)
{
	return obj_chown(&queue_kind, argc, argv);
}

/* ---- delete ---- */

static const char delete_help[] =
	"Usage: kipc queue delete NAME\n"
	"Remove the name NAME. Handles already open keep the queue until they\n"
	"close.\n";

static int queue_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	int ret;

	ret = parse_opts("queue delete", argc, argv, opts, delete_help, no_opt,
			 NULL);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = positional("queue delete", argc, argv, 0, &name);
	if (ret)
		return ret;
	ret = kipc_queue_unlink(name);
	return ret < 0 ? queue_fail(name, -ret) : 0;
}

/* ---- the object ---- */

static int queue_help(int argc, char **argv);

static const struct kipc_cmd queue_cmds[] = {
	{ "create", queue_create, "create a queue" },
	{ "send", queue_send, "send messages" },
	{ "recv", queue_recv, "receive messages and print them" },
	{ "watch", queue_watch, "print messages as they arrive, by notification" },
	{ "list", queue_list, "list the queues" },
	{ "show", queue_show, "print a queue's attributes, counters and waiters" },
	{ "top", queue_top, "show the busiest queues, refreshed" },
	{ "chmod", queue_chmod, "change a queue's permission bits" },
	{ "chown", queue_chown, "change a queue's owner and group" },
	{ "delete", queue_delete, "remove a queue's name" },
	{ "help", queue_help, "this text" },
	{ NULL, NULL, NULL },
};

static int queue_help(int argc, char **argv)
{
	const struct kipc_cmd *c;

	(void)argc;
	(void)argv;
	printf("Usage: kipc [-j] [-p] queue COMMAND [NAME] [OPTIONS]\n"
	       "       kipc queue COMMAND --help\n\nCommands:\n");
	for (c = queue_cmds; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
	return 0;
}

int do_queue(int argc, char **argv)
{
	field_width = 14;	/* "last_send_pid" */
	if (argc > 1 && is_help(argv[1]))
		return queue_help(argc - 1, argv + 1);
	return cmd_dispatch("queue", queue_cmds, argc - 1, argv + 1);
}

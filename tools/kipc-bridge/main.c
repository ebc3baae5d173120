// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bridge: the command line, signals, and "status".
 *
 *   kipc-bridge export QUEUE --stream S [options]
 *   kipc-bridge import QUEUE --stream S [options]
 *   kipc-bridge status QUEUE
 *
 * A daemon of its own, not a "kipc" subcommand, so that the CLI and
 * libkipc never load libnats and OpenSSL; and one process per queue and
 * direction, so that each holds one journal lock, needs one access
 * right to its queue, and dies alone.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"

volatile sig_atomic_t bridge_stop;

static const char usage[] =
	"Usage: kipc-bridge export QUEUE --stream STREAM [options]\n"
	"       kipc-bridge import QUEUE --stream STREAM [options]\n"
	"       kipc-bridge status QUEUE\n"
	"\n"
	"  -s, --server URL       a NATS server (repeat for a cluster;\n"
	"                         default nats://127.0.0.1:4222)\n"
	"  -S, --stream NAME      the JetStream stream\n"
	"      --subject SUBJ     default kipc.q.<QUEUE, encoded>\n"
	"      --durable NAME     import: default kipc-<HOST>-<QUEUE>\n"
	"      --host NAME        this host's name in ids and headers\n"
	"                         (default: the hostname)\n"
	"      --create           create the stream if it is missing\n"
	"      --replicas N       for --create (default 1)\n"
	"      --dup-window SEC   for --create: JetStream's dedup window\n"
	"                         (default 3600)\n"
	"      --max-age SEC      for --create (default 0: unlimited)\n"
	"      --batch N          messages per batch, 1..64 (default 16)\n"
	"      --ack-wait SEC     import: redelivery after (default 30)\n"
	"      --user NAME        NATS user; the password is read from\n"
	"      --password-file F  the first line of F\n"
	"      --creds FILE       NATS user JWT and nkey seed (.creds)\n"
	"      --nkey PUB         NATS nkey, signed with --nkey-seed FILE\n"
	"      --nkey-seed FILE\n"
	"      --tls              TLS, with the system's CAs\n"
	"      --tls-ca FILE      trust these CAs\n"
	"      --tls-cert FILE    client certificate chain, with\n"
	"      --tls-key FILE     its key\n"
	"      --tls-hostname H   the name the server's certificate holds\n"
	"      --syslog           log to syslog instead of stderr\n"
	"  -v, --verbose          log every message\n"
	"  -h, --help\n";

enum {
	OPT_SUBJECT = 256, OPT_DURABLE, OPT_HOST, OPT_CREATE, OPT_REPLICAS,
	OPT_DUP_WINDOW, OPT_MAX_AGE, OPT_BATCH, OPT_ACK_WAIT, OPT_USER,
	OPT_PASSWORD_FILE, OPT_CREDS, OPT_NKEY, OPT_NKEY_SEED, OPT_TLS,
	OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_HOSTNAME, OPT_SYSLOG,
};

static const struct option opts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "stream", required_argument, NULL, 'S' },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "durable", required_argument, NULL, OPT_DURABLE },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "create", no_argument, NULL, OPT_CREATE },
	{ "replicas", required_argument, NULL, OPT_REPLICAS },
	{ "dup-window", required_argument, NULL, OPT_DUP_WINDOW },
	{ "max-age", required_argument, NULL, OPT_MAX_AGE },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "ack-wait", required_argument, NULL, OPT_ACK_WAIT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "creds", required_argument, NULL, OPT_CREDS },
	{ "nkey", required_argument, NULL, OPT_NKEY },
	{ "nkey-seed", required_argument, NULL, OPT_NKEY_SEED },
	{ "tls", no_argument, NULL, OPT_TLS },
	{ "tls-ca", required_argument, NULL, OPT_TLS_CA },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "tls-hostname", required_argument, NULL, OPT_TLS_HOSTNAME },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "kipc-bridge: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'kipc-bridge --help'.\n");
	return 2;
}

static int num(const char *opt, const char *arg, long long lo, long long hi,
	       long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || *v < lo || *v > hi) {
		fprintf(stderr, "kipc-bridge: --%s %s: not a number in %lld..%lld\nTry 'kipc-bridge --help'.\n",
			opt, arg, lo, hi);
		return 2;
	}
	return 0;
}

static bool host_ok(const char *h)
{
	if (!*h || strlen(h) >= 64)
		return false;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' ||
		      *h == '_'))
			return false;
	return true;
}

static int parse(struct bridge_cfg *c, int argc, char **argv)
{
	static const char *servers[16];
	long long v;
	int opt;

	c->servers = servers;
	c->replicas = 1;
	c->dup_window_s = 3600;
	c->batch = 16;
	c->ack_wait_s = 30;
	while ((opt = getopt_long(argc, argv, "s:S:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (c->nservers == 16)
				return bad("%s: at most 16 servers", optarg);
			servers[c->nservers++] = optarg;
			break;
		case 'S': c->stream = optarg; break;
		case OPT_SUBJECT: c->subject = optarg; break;
		case OPT_DURABLE: c->durable = optarg; break;
		case OPT_HOST: c->host = optarg; break;
		case OPT_CREATE: c->create = true; break;
		case OPT_REPLICAS:
			if (num("replicas", optarg, 1, 5, &v))
				return 2;
			c->replicas = (int)v;
			break;
		case OPT_DUP_WINDOW:
			if (num("dup-window", optarg, 1, 7 * 86400, &v))
				return 2;
			c->dup_window_s = v;
			break;
		case OPT_MAX_AGE:
			if (num("max-age", optarg, 0, INT32_MAX, &v))
				return 2;
			c->max_age_s = v;
			break;
		case OPT_BATCH:
			if (num("batch", optarg, 1, OUT_SLOTS_MAX, &v))
				return 2;
			c->batch = (unsigned int)v;
			break;
		case OPT_ACK_WAIT:
			if (num("ack-wait", optarg, 1, 3600, &v))
				return 2;
			c->ack_wait_s = (int)v;
			break;
		case OPT_USER: c->user = optarg; break;
		case OPT_PASSWORD_FILE: c->password_file = optarg; break;
		case OPT_CREDS: c->creds = optarg; break;
		case OPT_NKEY: c->nkey = optarg; break;
		case OPT_NKEY_SEED: c->nkey_seed = optarg; break;
		case OPT_TLS: c->tls = true; break;
		case OPT_TLS_CA: c->tls_ca = optarg; break;
		case OPT_TLS_CERT: c->tls_cert = optarg; break;
		case OPT_TLS_KEY: c->tls_key = optarg; break;
		case OPT_TLS_HOSTNAME: c->tls_hostname = optarg; break;
		case OPT_SYSLOG: c->syslog = true; break;
		case 'v': c->verbose = true; break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return bad("%s: bad option", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("%s", "export, import or status?");
	c->cmd = argv[optind++];
	if (strcmp(c->cmd, "export") && strcmp(c->cmd, "import") &&
	    strcmp(c->cmd, "status"))
		return bad("%s: unknown command", c->cmd);
	if (optind != argc - 1)
		return bad("%s: one QUEUE, please", c->cmd);
	c->queue = argv[optind];
	if (!*c->queue || strlen(c->queue) > KIPC_NAME_MAX)
		return bad("%s: a queue name is 1..255 bytes", c->queue);
	if (!strcmp(c->cmd, "status"))
		return 0;
	if (!c->stream)
		return bad("%s: --stream is required", c->cmd);
	if (c->host && !host_ok(c->host))
		return bad("--host %s: letters, digits, '.', '-', '_', under 64",
			   c->host);
	if (c->user && !c->password_file)
		return bad("--user %s needs --password-file", c->user);
	if (!c->user && c->password_file)
		return bad("--password-file %s needs --user", c->password_file);
	if (!!c->nkey != !!c->nkey_seed)
		return bad("%s", "--nkey and --nkey-seed go together");
	if (c->tls_key && !c->tls_cert)
		return bad("--tls-key %s needs --tls-cert", c->tls_key);
	if (c->tls_cert && !c->tls_key)
		return bad("--tls-cert %s needs --tls-key", c->tls_cert);
	if (!c->nservers)
		servers[c->nservers++] = "nats://127.0.0.1:4222";
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	bridge_stop = 1;
}

static int setup(struct bridge *b)
{
	struct bridge_cfg *c = b->cfg;

	if (c->host) {
		snprintf(b->host, sizeof(b->host), "%s", c->host);
	} else if (gethostname(b->host, sizeof(b->host)) ||
		   !host_ok(b->host)) {
		log_err("the hostname does not fit ids (%s); pass --host",
			b->host);
		return -EINVAL;
	}
	name_encode(b->qenc, sizeof(b->qenc), c->queue);
	if (c->subject)
		snprintf(b->subject, sizeof(b->subject), "%s", c->subject);
	else
		snprintf(b->subject, sizeof(b->subject), "kipc.q.%s", b->qenc);
	if (c->durable) {
		snprintf(b->durable, sizeof(b->durable), "%s", c->durable);
	} else {
		char h[3 * sizeof(b->host)];

		name_encode(h, sizeof(h), b->host);
		snprintf(b->durable, sizeof(b->durable), "kipc-%s-%s", h,
			 b->qenc);
	}
	return 0;
}

/* ---- status: read the journals, no NATS ---- */

static int map_journal(const char *dir, const char *queue, void **base,
		       size_t *size, char *name)
{
	struct kipc_region_info ri;
	int fd, ret;

	journal_name(name, dir, queue);
	fd = kipc_region_open(name, O_RDONLY, 0, 0, 0);
	if (fd < 0)
		return fd;
	ret = kipc_region_info(fd, &ri);
	if (!ret)
		ret = kipc_region_map(fd, 0, ri.region_size, PROT_READ, base);
	kipc_region_close(fd);
	*size = ri.region_size;
	return ret;
}

static void show_hdr(const char *what, const char *name,
		     const struct journal_hdr *h)
{
	bool alive = h->pid > 0 && (kill(h->pid, 0) == 0 || errno == EPERM);

	printf("%s (journal %s)\n", what, name);
	printf("  bridge pid:     %d (%s)\n", h->pid,
	       alive ? "running" : "not running");
	printf("  crashes:        %" PRIu64 "\n", h->crashes);
	printf("  last error:     %s\n", h->last_error[0] ? h->last_error : "-");
}

int bridge_status(struct bridge_cfg *c)
{
	char name[KIPC_NAME_MAX + 1];
	bool any = false;
	void *base;
	size_t size;
	int ret;

	ret = map_journal("kipc-bridge.out", c->queue, &base, &size, name);
	if (ret == 0) {
		const struct out_journal *oj = base;
		unsigned int pending = 0;

		for (unsigned int i = 0; i < oj->slots && i < OUT_SLOTS_MAX; i++)
			pending += oj->msgs[i].seq != 0;
		show_hdr("export", name, &oj->hdr);
		printf("  in flight:      %u\n", pending);
		printf("  published:      %" PRIu64 " (%" PRIu64 " already stored)\n",
		       oj->published, oj->duplicates);
		printf("  retries:        %" PRIu64 " (%" PRIu64 " stored out of order)\n",
		       oj->retries, oj->reordered);
		printf("  last seq:       %" PRIu64 "\n", oj->last_seq);
		printf("  export seq:     %" PRIu64 " (epoch %016" PRIx64 ")\n",
		       oj->next_xseq, oj->epoch);
		if (oj->eofs)
			printf("  end of file:    %" PRIu64 " sent\n", oj->eofs);
		kipc_region_unmap(base, size);
		any = true;
	} else if (ret != -ENOENT) {
		fprintf(stderr, "kipc-bridge: %s: %s\n", name, strerror(-ret));
		return 1;
	}
	ret = map_journal("kipc-bridge.in", c->queue, &base, &size, name);
	if (ret == 0) {
		const struct in_journal *ij = base;

		show_hdr("import", name, &ij->hdr);
		printf("  in flight:      %u\n", ij->state == IN_SENDING);
		printf("  delivered:      %" PRIu64 " (%" PRIu64 " duplicates skipped, %" PRIu64 " rejected)\n",
		       ij->delivered, ij->duplicates, ij->rejected);
		printf("  stream seq:     %" PRIu64 " (lag %" PRIu64 ")\n",
		       ij->last_stream_seq, ij->lag);
		printf("  out of order:   %" PRIu64 " held and put back, %" PRIu64 " never came\n",
		       ij->reordered, ij->gaps);
		if (ij->eofs)
			printf("  end of file:    %" PRIu64 " passed on%s\n", ij->eofs,
			       ij->writer_closed ? " (writer closed)" : "");
		kipc_region_unmap(base, size);
		any = true;
	} else if (ret != -ENOENT) {
		fprintf(stderr, "kipc-bridge: %s: %s\n", name, strerror(-ret));
		return 1;
	}
	if (!any) {
		fprintf(stderr, "kipc-bridge: no bridge journal for queue %s\n",
			c->queue);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bridge_cfg cfg = { 0 };
	struct bridge b = { .cfg = &cfg };
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	ret = parse(&cfg, argc, argv);
	if (ret)
		return ret;
	if (!strcmp(cfg.cmd, "status"))
		return bridge_status(&cfg);

	log_open(cfg.syslog, cfg.verbose);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned int)getpid());
	if (setup(&b))
		return 1;

	if (!strcmp(cfg.cmd, "export"))
		ret = bridge_export(&b);
	else
		ret = bridge_import(&b);
	nats_Close();
	if (ret == -EINTR && bridge_stop)
		ret = 0;
	if (ret)
		log_err("%s %s: giving up: %s", cfg.cmd, cfg.queue,
			strerror(-ret));
	return ret ? 1 : 0;
}

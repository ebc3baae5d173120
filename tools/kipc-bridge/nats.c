// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NATS side: the connection with its authentication, TLS and
 * reconnection, and the stream. Options go to libnats as given; the
 * bridge adds no security of its own on top.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"

#define NSEC_PER_SEC	INT64_C(1000000000)

static char nats_why_buf[256];

/* libnats' own words for a failure, with JetStream's error code. */
const char *nats_why(natsStatus s, jsErrCode jerr)
{
	const char *last = nats_GetLastError(NULL);

	if (jerr)
		snprintf(nats_why_buf, sizeof(nats_why_buf), "%s (jserr %d)%s%s",
			 natsStatus_GetText(s), (int)jerr,
			 last && *last ? ": " : "", last ? last : "");
	else
		snprintf(nats_why_buf, sizeof(nats_why_buf), "%s%s%s",
			 natsStatus_GetText(s), last && *last ? ": " : "",
			 last ? last : "");
	return nats_why_buf;
}

static void on_disconnected(natsConnection *nc, void *arg)
{
	(void)nc;
	(void)arg;
	log_info("NATS: disconnected; reconnecting");
}

static void on_reconnected(natsConnection *nc, void *arg)
{
	char url[256] = "";

	(void)arg;
	natsConnection_GetConnectedUrl(nc, url, sizeof(url));
	log_info("NATS: reconnected to %s", url);
}

static void on_error(natsConnection *nc, natsSubscription *sub,
		     natsStatus err, void *arg)
{
	(void)nc;
	(void)sub;
	(void)arg;
	log_err("NATS: %s", natsStatus_GetText(err));
}

/* 100 ms, doubling to 5 s, with up to a quarter of jitter. */
static int64_t reconnect_delay(natsConnection *nc, int attempts, void *arg)
{
	int64_t ms = 100;

	(void)nc;
	(void)arg;
	for (int i = 1; i < attempts && ms < 5000; i++)
		ms *= 2;
	if (ms > 5000)
		ms = 5000;
	return ms + rand() % (ms / 4 + 1);
}

/* A password file holds one line; the password never sits in argv. */
static int read_password(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -ENODATA;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

static natsStatus set_auth(natsOptions *o, struct bridge_cfg *c)
{
	natsStatus s = NATS_OK;
	char pw[512];
	int ret;

	if (c->user) {
		pw[0] = '\0';
		if (c->password_file) {
			ret = read_password(c->password_file, pw, sizeof(pw));
			if (ret) {
				log_err("--password-file %s: %s",
					c->password_file, strerror(-ret));
				return NATS_INVALID_ARG;
			}
		}
		s = natsOptions_SetUserInfo(o, c->user, pw);
		memset(pw, 0, sizeof(pw));
	}
	if (s == NATS_OK && c->creds)
		s = natsOptions_SetUserCredentialsFromFiles(o, c->creds, NULL);
	if (s == NATS_OK && c->nkey_seed)
		s = natsOptions_SetNKeyFromSeed(o, c->nkey, c->nkey_seed);
	return s;
}

static natsStatus set_tls(natsOptions *o, struct bridge_cfg *c)
{
	natsStatus s = NATS_OK;

	if (c->tls || c->tls_ca || c->tls_cert)
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && c->tls_ca)
		s = natsOptions_LoadCATrustedCertificates(o, c->tls_ca);
	if (s == NATS_OK && c->tls_cert)
		s = natsOptions_LoadCertificatesChain(o, c->tls_cert,
						      c->tls_key);
	if (s == NATS_OK && c->tls_hostname)
		s = natsOptions_SetExpectedHostname(o, c->tls_hostname);
	return s;
}

/*
 * Connects, retrying the first connection as any later one: a bridge
 * started before its servers waits for them. Authentication failures
 * are the exception, since retrying cannot mend them.
 */
int nats_connect(struct bridge *b)
{
	struct bridge_cfg *c = b->cfg;
	natsOptions *o = NULL;
	unsigned int attempt = 0;
	jsOptions jo;
	natsStatus s;

	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, c->servers, c->nservers);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "kipc-bridge");
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetCustomReconnectDelay(o, reconnect_delay,
							NULL);
	/* Publishes made while reconnecting wait in libnats' buffer. */
	if (s == NATS_OK)
		s = natsOptions_SetReconnectBufSize(o, 8 * 1024 * 1024);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(o, on_disconnected, NULL);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(o, on_reconnected, NULL);
	if (s == NATS_OK)
		s = natsOptions_SetErrorHandler(o, on_error, NULL);
	if (s == NATS_OK)
		s = set_auth(o, c);
	if (s == NATS_OK)
		s = set_tls(o, c);
	if (s != NATS_OK) {
		log_err("NATS options: %s", nats_why(s, 0));
		natsOptions_Destroy(o);
		return -EINVAL;
	}

	while (!bridge_stop) {
		s = natsConnection_Connect(&b->nc, o);
		if (s == NATS_OK)
			break;
		if (s == NATS_CONNECTION_AUTH_FAILED ||
		    s == NATS_NOT_PERMITTED) {
			log_err("NATS: %s: the server refused these credentials",
				nats_why(s, 0));
			natsOptions_Destroy(o);
			return -EACCES;
		}
		if (s == NATS_SSL_ERROR) {
			log_err("NATS: TLS: %s", nats_why(s, 0));
			natsOptions_Destroy(o);
			return -EPROTO;
		}
		if (attempt == 0 || attempt % 20 == 0)
			log_err("NATS: cannot connect to %s: %s; retrying",
				c->servers[0], nats_why(s, 0));
		backoff_sleep(&attempt);
	}
	natsOptions_Destroy(o);
	if (bridge_stop)
		return -EINTR;

	jsOptions_Init(&jo);
	jo.Wait = 2000;
	jo.PublishAsync.MaxPending = 4 * OUT_SLOTS_MAX;
	jo.PublishAsync.AckHandler = b->pub_ack;
	jo.PublishAsync.AckHandlerClosure = b->pub_ack_arg;
	s = natsConnection_JetStream(&b->js, b->nc, &jo);
	if (s != NATS_OK) {
		log_err("JetStream: %s", nats_why(s, 0));
		return -EIO;
	}
	return 0;
}

void nats_close(struct bridge *b)
{
	jsCtx_Destroy(b->js);
	b->js = NULL;
	natsConnection_Destroy(b->nc);
	b->nc = NULL;
}

/*
 * The stream must exist, or, with --create, is made: file storage,
 * Limits retention (WorkQueue streams diverge between replicas after a
 * node restart on nats-server 2.9), the given replicas and dedup window.
 * Waits out a cluster that has no JetStream leader yet.
 */
int nats_ensure_stream(struct bridge *b)
{
	struct bridge_cfg *c = b->cfg;
	unsigned int attempt = 0, overlaps = 0;
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	const char *subj[1] = { b->subject };
	jsErrCode jerr = 0;
	natsStatus s;

	while (!bridge_stop) {
		jerr = 0;
		s = js_GetStreamInfo(&si, b->js, c->stream, NULL, &jerr);
		if (s == NATS_OK) {
			jsStreamInfo_Destroy(si);
			return 0;
		}
		if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
			if (!c->create) {
				log_err("stream %s does not exist; create it, or pass --create",
					c->stream);
				return -ENOENT;
			}
			jsStreamConfig_Init(&sc);
			sc.Name = c->stream;
			sc.Subjects = subj;
			sc.SubjectsLen = 1;
			sc.Retention = js_LimitsPolicy;
			sc.Storage = js_FileStorage;
			sc.Replicas = c->replicas;
			sc.Duplicates = c->dup_window_s * NSEC_PER_SEC;
			sc.MaxAge = c->max_age_s * NSEC_PER_SEC;
			jerr = 0;
			s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
			if (s == NATS_OK) {
				log_info("stream %s created for %s, %d replicas, dedup window %llds",
					 c->stream, b->subject, c->replicas,
					 (long long)c->dup_window_s);
				jsStreamInfo_Destroy(si);
				return 0;
			}
			if (jerr == JSStreamNameExistErr)
				continue;	/* another bridge made it first */
			/*
			 * Two bridges creating the same stream at once: the
			 * loser may hear "subjects overlap" with the very
			 * stream the winner just made, before it can see
			 * it by name. Look again a few times before taking
			 * the overlap to be with some other stream.
			 */
			if (jerr == JSStreamSubjectOverlapErr && ++overlaps < 5) {
				backoff_sleep(&attempt);
				continue;
			}
		}
		/*
		 * A configuration the server refuses stays refused; the
		 * rest (no leader yet, a cluster still forming, a lost
		 * server, "JetStream not enabled" while no leader is known)
		 * passes.
		 */
		if (jerr == JSStreamInvalidConfig ||
		    jerr == JSStreamSubjectOverlapErr ||
		    jerr == JSStreamReplicasNotSupportedErr ||
		    jerr == JSStreamMaxBytesRequiredErr ||
		    s == NATS_NOT_PERMITTED) {
			log_err("stream %s: %s", c->stream, nats_why(s, jerr));
			return s == NATS_NOT_PERMITTED ? -EACCES : -EINVAL;
		}
		if (attempt % 20 == 0)
			log_info("stream %s: %s; retrying", c->stream,
				 nats_why(s, jerr));
		backoff_sleep(&attempt);
	}
	return -EINTR;
}

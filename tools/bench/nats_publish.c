// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc-bench-nats publish: what JetStream itself does for a 64 B message,
 * the yardstick of the bridged rows.
 *
 *   nats-async  js_PublishAsync() as fast as it takes messages, at most
 *               --window of them unacknowledged, until --count or
 *               --seconds, then js_PublishAsyncComplete(): messages
 *               stored per second, from the first publish to the last ack
 *   nats-sync   js_Publish() one at a time: each sample is a publish and
 *               its ack, that is, until the message is stored on a
 *               majority of the stream's replicas
 *
 * The stream is made as kipc-bridge makes one (file storage, limits
 * retention, --replicas), so that both rows pay for the same storage,
 * and deleted at the end. The messages carry no headers: this is NATS's
 * rate, not the bridge's, which adds its Nats-Msg-Id and Kipc-Msg headers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nats/nats.h>

#include "nats_bench.h"

#define NSEC_PER_SEC	INT64_C(1000000000)
#define STALL_WAIT_MS	30000	/* a full window waits for acks this long */
#define COMPLETE_MS	60000	/* for the last acks */
#define CREATE_TRIES	60	/* 30 s for a cluster to elect its leaders */

static atomic_ulong async_failed;

static void on_async_err(jsCtx *js, jsPubAckErr *pae, void *arg)
{
	(void)js;
	(void)arg;
	if (atomic_fetch_add(&async_failed, 1) == 0)
		fprintf(stderr, "kipc-bench-nats: asynchronous publish failed: %s (jserr %d)\n",
			natsStatus_GetText(pae->Err), (int)pae->ErrCode);
}

static int connect_js(const struct nb_opts *o, natsConnection **nc,
		      jsCtx **js)
{
	natsOptions *no = NULL;
	jsOptions jo;
	natsStatus s;

	s = natsOptions_Create(&no);
	/* libnats copies the list; its prototype just lacks the const. */
	if (s == NATS_OK)
		s = natsOptions_SetServers(no, (const char **)o->servers,
					   o->nservers);
	if (s == NATS_OK)
		s = natsOptions_SetName(no, "kipc-bench-nats");
	if (s == NATS_OK)
		s = natsConnection_Connect(nc, no);
	natsOptions_Destroy(no);
	if (s != NATS_OK) {
		fprintf(stderr, "kipc-bench-nats: connect to %s: %s\n",
			o->servers[0], nats_GetLastError(NULL));
		return -EIO;
	}
	jsOptions_Init(&jo);
	jo.Wait = 5000;
	jo.PublishAsync.MaxPending = (int64_t)o->window;
	jo.PublishAsync.StallWait = STALL_WAIT_MS;
	jo.PublishAsync.ErrHandler = on_async_err;
	s = natsConnection_JetStream(js, *nc, &jo);
	if (s != NATS_OK) {
		fprintf(stderr, "kipc-bench-nats: JetStream: %s\n",
			nats_GetLastError(NULL));
		return -EIO;
	}
	return 0;
}

/* A cluster just started may have no JetStream leader yet: wait it out. */
static int make_stream(const struct nb_opts *o, jsCtx *js)
{
	const char *subj[1] = { o->subject };
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsErrCode jerr = 0;
	natsStatus s = NATS_ERR;

	jsStreamConfig_Init(&sc);
	sc.Name = o->stream;
	sc.Subjects = subj;
	sc.SubjectsLen = 1;
	sc.Retention = js_LimitsPolicy;
	sc.Storage = js_FileStorage;
	sc.Replicas = o->replicas;
	for (int i = 0; i < CREATE_TRIES; i++) {
		jerr = 0;
		s = js_AddStream(&si, js, &sc, NULL, &jerr);
		if (s == NATS_OK) {
			jsStreamInfo_Destroy(si);
			return 0;
		}
		usleep(500000);
	}
	fprintf(stderr, "kipc-bench-nats: stream %s: %s (jserr %d)\n", o->stream,
		nats_GetLastError(NULL), (int)jerr);
	return -EIO;
}

static int publish_async(const struct nb_opts *o, jsCtx *js,
			 const char *payload)
{
	struct nb_cpu oth0, oth1;
	uint64_t cpu0, cpu1;
	unsigned long n = 0;
	jsPubOptions po;
	double t0, t1;
	natsStatus s = NATS_OK;
	int ret;

	/* Warm-up: connections, the stream's first blocks, the caches. */
	for (unsigned long i = 0; i < o->warmup && s == NATS_OK; i++)
		s = js_PublishAsync(js, o->subject, payload, NB_MSG_SIZE, NULL);
	jsPubOptions_Init(&po);
	po.MaxWait = COMPLETE_MS;
	if (s == NATS_OK)
		s = js_PublishAsyncComplete(js, &po);
	if (s != NATS_OK || atomic_load(&async_failed)) {
		fprintf(stderr, "kipc-bench-nats: warm-up: %s\n",
			nats_GetLastError(NULL));
		return -EIO;
	}

	ret = nb_pids_cpu(&o->pids, &oth0);
	if (ret)
		return ret;
	cpu0 = nb_self_cpu_ns();
	t0 = nb_now();
	while (n < o->count && s == NATS_OK) {
		s = js_PublishAsync(js, o->subject, payload, NB_MSG_SIZE, NULL);
		n++;
		/* The clock is read every 64 publishes, not at each. */
		if (!(n & 63) && nb_now() - t0 > o->seconds)
			break;
	}
	if (s == NATS_OK)
		s = js_PublishAsyncComplete(js, &po);
	t1 = nb_now();
	cpu1 = nb_self_cpu_ns();
	ret = nb_pids_cpu(&o->pids, &oth1);
	if (ret)
		return ret;
	if (s != NATS_OK || atomic_load(&async_failed)) {
		fprintf(stderr, "kipc-bench-nats: asynchronous publish: %s; %lu failed\n",
			s != NATS_OK ? nats_GetLastError(NULL) : "acks",
			atomic_load(&async_failed));
		return -EIO;
	}
	nb_cpu_breakdown("nats-async", &o->pids, &oth0, &oth1, n);
	nb_result("nats-async", "msgs=%lu seconds=%.3f msg_s=%.0f window=%u cpu_ns=%.0f cpu_self_ns=%.0f cpu_others_ns=%.0f",
		  n, t1 - t0, n / (t1 - t0), o->window,
		  (double)(cpu1 - cpu0 + oth1.total - oth0.total) / n,
		  (double)(cpu1 - cpu0) / n, (double)(oth1.total - oth0.total) / n);
	return 0;
}

static int publish_sync(const struct nb_opts *o, jsCtx *js,
			const char *payload)
{
	struct nb_cpu oth0, oth1;
	uint64_t cpu0, cpu1;
	double *lat, t0, t;
	size_t n = 0;
	int ret;

	lat = calloc(o->samples, sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	ret = nb_pids_cpu(&o->pids, &oth0);
	if (ret)
		goto out;
	cpu0 = nb_self_cpu_ns();
	t0 = nb_now();
	while (n < o->samples && (n < 100 || nb_now() - t0 < o->seconds)) {
		jsPubAck *pa = NULL;
		jsErrCode jerr = 0;
		natsStatus s;

		t = nb_now();
		s = js_Publish(&pa, js, o->subject, payload, NB_MSG_SIZE,
			       NULL, &jerr);
		if (s != NATS_OK) {
			fprintf(stderr, "kipc-bench-nats: publish: %s (jserr %d)\n",
				nats_GetLastError(NULL), (int)jerr);
			ret = -EIO;
			goto out;
		}
		lat[n++] = nb_now() - t;
		jsPubAck_Destroy(pa);
	}
	cpu1 = nb_self_cpu_ns();
	ret = nb_pids_cpu(&o->pids, &oth1);
	if (!ret) {
		nb_cpu_breakdown("nats-sync", &o->pids, &oth0, &oth1, n);
		nb_latency_result("nats-sync", lat, n,
				  (double)(cpu1 - cpu0) / n,
				  (double)(oth1.total - oth0.total) / n);
	}
out:
	free(lat);
	return ret;
}

int nb_publish(const struct nb_opts *o)
{
	natsConnection *nc = NULL;
	char payload[NB_MSG_SIZE];
	jsCtx *js = NULL;
	jsErrCode jerr;
	int ret;

	memset(payload, 'k', sizeof(payload));
	ret = connect_js(o, &nc, &js);
	if (!ret)
		ret = make_stream(o, js);
	if (!ret)
		ret = publish_async(o, js, payload);
	if (!ret)
		ret = publish_sync(o, js, payload);
	if (js)
		js_DeleteStream(js, o->stream, NULL, &jerr);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/* The "kipc" generic netlink family: it resolves, answers, and is strict. */

#include <errno.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/kipc.h>
#include <libkipc.h>

#include "kselftest_harness.h"

FIXTURE(nl) {
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(nl)
{
	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	self->family = genl_ctrl_resolve(self->sk, KIPC_FAMILY_NAME);
	ASSERT_LT(0, self->family) TH_LOG("kipc family: %s",
					  nl_geterror(self->family));
}

FIXTURE_TEARDOWN(nl)
{
	nl_socket_free(self->sk);
}

struct reply {
	int error;
	int acked;
	uint32_t abi, module;
	uint64_t features;
	int nattrs;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KIPC_A_VERSION_MAX + 1];
	struct reply *r = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPC_A_VERSION_MAX, NULL))
		return NL_SKIP;
	for (int i = 1; i <= KIPC_A_VERSION_MAX; i++)
		r->nattrs += !!tb[i];
	if (tb[KIPC_A_VERSION_ABI])
		r->abi = nla_get_u32(tb[KIPC_A_VERSION_ABI]);
	if (tb[KIPC_A_VERSION_MODULE])
		r->module = nla_get_u32(tb[KIPC_A_VERSION_MODULE]);
	if (tb[KIPC_A_VERSION_FEATURES])
		r->features = nla_get_u64(tb[KIPC_A_VERSION_FEATURES]);
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct reply *r = arg;

	(void)nla;
	r->error = err->error;
	r->acked = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct reply *)arg)->acked = 1;
	return NL_STOP;
}

/* Sends cmd, optionally with one u32 attribute, and collects the reply. */
static void request(struct nl_sock *sk, int family, int cmd, int attr,
		    struct reply *r)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	memset(r, 0, sizeof(*r));
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
		    KIPC_FAMILY_VERSION);
	if (attr)
		nla_put_u32(msg, attr, 1);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	if (nl_send_auto(sk, msg) >= 0)
		while (!r->acked && nl_recvmsgs(sk, cb) >= 0)
			;
	nl_cb_put(cb);
	nlmsg_free(msg);
}

TEST_F(nl, version_get)
{
	struct reply r;

	request(self->sk, self->family, KIPC_CMD_VERSION_GET, 0, &r);
	ASSERT_EQ(0, r.error);
	EXPECT_EQ(KIPC_ABI_VERSION, r.abi);
	EXPECT_NE(0, r.module);
	EXPECT_TRUE(r.features & KIPC_FEAT_NETLINK);
}

/* Both paths describe the same module. */
TEST_F(nl, version_matches_ioctl)
{
	struct kipc_module_info a, b;

	ASSERT_EQ(0, kipc_module_version(&a));
	ASSERT_EQ(0, kipc_module_version_nl(&b));
	EXPECT_EQ(a.abi_version, b.abi_version);
	EXPECT_EQ(a.module_version, b.module_version);
	EXPECT_EQ(a.features, b.features);
}

TEST_F(nl, version_get_rejects_attributes)
{
	struct reply r;

	request(self->sk, self->family, KIPC_CMD_VERSION_GET,
		KIPC_A_VERSION_ABI, &r);
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_EQ(0, r.nattrs);
}

TEST_F(nl, unknown_command)
{
	struct reply r;

	request(self->sk, self->family, KIPC_CMD_MAX + 1, 0, &r);
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

TEST_HARNESS_MAIN

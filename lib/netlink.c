// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Requests to the "kipc" generic netlink family, through libnl-genl.
 *
 * Each request opens its own socket, so calls from several threads never
 * share state; only a monitor keeps one, for the events it subscribed to.
 * The kernel's errno is taken from the NLMSG_ERROR reply (or, for a dump,
 * from NLMSG_DONE) itself, because libnl folds errnos into its own coarser
 * codes.
 *
 * The kernel's reason for a refusal (its extended ack, "only the owner
 * may delete it") is kept per thread for kipc_last_extack(): asked for on
 * every socket, cleared as each request starts, copied out of the
 * NLMSG_ERROR reply before libnl frees it.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libkipc.h"
#include "internal.h"

struct kipc_nl_state {
	const struct kipc_nl_request *req;
	int error;
	int done;
};

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* A thread's last request's reason, for kipc_last_extack(). */
static __thread char kipc_nl_extack[256];

const char *kipc_last_extack(void)
{
	return kipc_nl_extack;
}

/*
 * The NLMSGERR_ATTR_MSG string that follows err in its NLMSG_ERROR reply:
 * after the whole request echoed back, unless the kernel capped it to its
 * header (NLM_F_CAPPED).
 */
static void kipc_nl_save_extack(const struct nlmsgerr *err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)
		((const char *)err - NLMSG_HDRLEN);
	size_t off = sizeof(*err), len;
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN - off;
	a = (const struct nlattr *)((const char *)err + off);
	while (len >= sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - NLA_HDRLEN;

			if (n >= sizeof(kipc_nl_extack))
				n = sizeof(kipc_nl_extack) - 1;
			memcpy(kipc_nl_extack, (const char *)a + NLA_HDRLEN, n);
			kipc_nl_extack[n] = '\0';
			/* The kernel's string is NUL-terminated; be sure. */
			kipc_nl_extack[strnlen(kipc_nl_extack, n)] = '\0';
			return;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

static int kipc_nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *err,
			    void *arg)
{
	struct kipc_nl_state *st = arg;

	(void)nla;
	kipc_nl_save_extack(err);
	st->error = err->error;
	st->done = 1;
	return NL_STOP;
}

static int kipc_nl_on_done(struct nl_msg *msg, void *arg)
{
	struct kipc_nl_state *st = arg;

	(void)msg;
	st->done = 1;
	return NL_STOP;
}

/*
 * The end of a dump. Its payload, when there is one, is the dump's status:
 * a negative errno if the kernel failed part way.
 */
static int kipc_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct kipc_nl_state *st = arg;
	int status;

	if (nlmsg_datalen(nlh) >= (int)sizeof(status)) {
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
		if (status < 0)
			st->error = status;
	}
	st->done = 1;
	return NL_STOP;
}

/* A reply. Its parser may end the request early with NL_STOP. */
static int kipc_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct kipc_nl_state *st = arg;
	int ret;

	if (!st->req->parse)
		return NL_OK;
	ret = st->req->parse(msg, st->req->arg);
	if (ret == NL_STOP)
		st->done = 1;
	return ret;
}

/* libnl's own codes, mapped back to the errno a caller can act on. */
int kipc_nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int kipc_nl_connect(struct kipc_nl_sock *ns)
{
	int ret;

	ns->sk = nl_socket_alloc();
	if (!ns->sk)
		return -ENOMEM;
	ret = genl_connect(ns->sk);
	if (ret < 0) {
		ret = kipc_nl_errno(ret);
		goto fail;
	}
	/* A kernel without extended acks (before 4.12) just has no reason. */
	setsockopt(nl_socket_get_fd(ns->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &(int){ 1 }, sizeof(int));
	ret = genl_ctrl_resolve(ns->sk, KIPC_FAMILY_NAME);
	if (ret < 0) {
		/*
		 * The family exists only while the module is loaded, and
		 * the lookup has already asked the kernel to load it.
		 */
		ret = ret == -NLE_OBJ_NOTFOUND ? -ENODEV : kipc_nl_errno(ret);
		goto fail;
	}
	ns->family = ret;
	return 0;
fail:
	nl_socket_free(ns->sk);
	ns->sk = NULL;
	return ret;
}

void kipc_nl_close(struct kipc_nl_sock *ns)
{
	nl_socket_free(ns->sk);
	ns->sk = NULL;
}

/* A request message for req->cmd, with its attributes, ready to send. */
int kipc_nl_build(const struct kipc_nl_sock *ns,
		  const struct kipc_nl_request *req, struct nl_msg **msgp)
{
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ns->family, 0,
			 req->flags | NLM_F_ACK, req->cmd, KIPC_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	if (req->build) {
		ret = req->build(msg, req->arg);
		if (ret < 0) {
			nlmsg_free(msg);
			return ret;
		}
	}
	*msgp = msg;
	return 0;
}

int kipc_nl_exec(struct kipc_nl_sock *ns, const struct kipc_nl_request *req)
{
	struct kipc_nl_state st = { .req = req };
	struct nl_msg *msg = NULL;
	struct nl_cb *cb;
	int ret;

	kipc_nl_extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	ret = kipc_nl_build(ns, req, &msg);
	if (ret < 0)
		goto out;

	nl_cb_err(cb, NL_CB_CUSTOM, kipc_nl_on_error, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kipc_nl_on_done, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kipc_nl_on_finish, &st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kipc_nl_on_valid, &st);

	ret = nl_send_auto(ns->sk, msg);
	if (ret < 0) {
		ret = kipc_nl_errno(ret);
		goto out;
	}
	ret = 0;
	while (!st.done) {
		ret = nl_recvmsgs(ns->sk, cb);
		if (ret < 0 && !st.done) {
			ret = kipc_nl_errno(ret);
			goto out;
		}
	}
	ret = st.error;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

int kipc_nl_transact(const struct kipc_nl_request *req)
{
	struct kipc_nl_sock ns;
	int ret;

	ret = kipc_nl_connect(&ns);
	if (ret < 0)
		return ret;
	ret = kipc_nl_exec(&ns, req);
	kipc_nl_close(&ns);
	return ret;
}

static int kipc_nl_parse_version(struct nl_msg *msg, void *arg)
{
	struct kipc_module_info *info = arg;
	struct nlattr *tb[KIPC_A_VERSION_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KIPC_A_VERSION_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[KIPC_A_VERSION_ABI])
		info->abi_version = nla_get_u32(tb[KIPC_A_VERSION_ABI]);
	if (tb[KIPC_A_VERSION_MODULE])
		info->module_version = nla_get_u32(tb[KIPC_A_VERSION_MODULE]);
	if (tb[KIPC_A_VERSION_FEATURES])
		info->features = nla_get_u64(tb[KIPC_A_VERSION_FEATURES]);
	return NL_OK;
}

/* Any ABI's module answers this, so it can say which one it speaks. */
int (kipc_module_version_nl)(struct kipc_module_info *uinfo,
			     size_t info_size)
{
	struct kipc_module_info info;
	struct kipc_nl_request req = {
		.cmd = KIPC_CMD_VERSION_GET,
		.parse = kipc_nl_parse_version,
		.arg = &info,
	};
	int ret;

	if (!uinfo)
		return -EINVAL;
	ret = kipc_struct_size_ok(info_size, KIPC_MODULE_INFO_SIZE_VER0);
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	ret = kipc_nl_transact(&req);
	if (!ret && !info.abi_version)
		ret = -EPROTO;	/* an answer without the version */
	if (ret)
		return ret;
	return kipc_struct_out(uinfo, info_size, &info, sizeof(info),
			       KIPC_MODULE_INFO_SIZE_VER0);
}

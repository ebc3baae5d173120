// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Queues, regions and rings as the kipc netlink family describes them:
 * listing every one of the caller's IPC namespace (a dump of queue-get,
 * region-get or ring-get) and looking one up by name (a get), without a
 * handle.
 *
 * The attribute sets share their first seven attributes, so one table of
 * attribute numbers per object type drives the parser.
 */

#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "libkipc.h"
#include "internal.h"

/* The attribute numbers of one object type. */
struct kipc_nl_obj_attrs {
	uint8_t get_cmd;
	int max;
	int name, uid, gid, mode, flags, handles, ctime;
};

static const struct kipc_nl_obj_attrs kipc_queue_attrs = {
	.get_cmd = KIPC_CMD_QUEUE_GET,
	.max = KIPC_A_QUEUE_MAX,
	.name = KIPC_A_QUEUE_NAME, .uid = KIPC_A_QUEUE_UID,
	.gid = KIPC_A_QUEUE_GID, .mode = KIPC_A_QUEUE_MODE,
	.flags = KIPC_A_QUEUE_FLAGS, .handles = KIPC_A_QUEUE_HANDLES,
	.ctime = KIPC_A_QUEUE_CTIME,
};

static const struct kipc_nl_obj_attrs kipc_region_attrs = {
	.get_cmd = KIPC_CMD_REGION_GET,
	.max = KIPC_A_REGION_MAX,
	.name = KIPC_A_REGION_NAME, .uid = KIPC_A_REGION_UID,
	.gid = KIPC_A_REGION_GID, .mode = KIPC_A_REGION_MODE,
	.flags = KIPC_A_REGION_FLAGS, .handles = KIPC_A_REGION_HANDLES,
	.ctime = KIPC_A_REGION_CTIME,
};

static const struct kipc_nl_obj_attrs kipc_ring_attrs = {
	.get_cmd = KIPC_CMD_RING_GET,
	.max = KIPC_A_RING_MAX,
	.name = KIPC_A_RING_NAME, .uid = KIPC_A_RING_UID,
	.gid = KIPC_A_RING_GID, .mode = KIPC_A_RING_MODE,
	.flags = KIPC_A_RING_FLAGS, .handles = KIPC_A_RING_HANDLES,
	.ctime = KIPC_A_RING_CTIME,
};

#define KIPC_MAX2(a, b)	((int)(a) > (int)(b) ? (int)(a) : (int)(b))
/* The largest of the sets sizes the parse table. */
#define KIPC_NL_OBJ_MAX \
	KIPC_MAX2(KIPC_MAX2(KIPC_A_QUEUE_MAX, KIPC_A_REGION_MAX), \
		  KIPC_A_RING_MAX)

static const struct kipc_nl_obj_attrs *kipc_nl_obj_attrs(unsigned int object)
{
	switch (object) {
	case KIPC_OBJECT_REGION:
		return &kipc_region_attrs;
	case KIPC_OBJECT_RING:
		return &kipc_ring_attrs;
	default:
		return &kipc_queue_attrs;
	}
}

static uint32_t kipc_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

static uint64_t kipc_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

int kipc_nl_check_name(const char *name)
{
	if (!name)
		return -EINVAL;
	/* As the ioctls say it; the netlink policy would say EINVAL. */
	if (strnlen(name, KIPC_NAME_MAX + 1) > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Attributes are taken only at the size this library knows, so a newer
 * kernel's longer attribute is read at its start, as nla_get_*() does.
 */
int kipc_nl_parse_obj(struct nlmsghdr *nlh, unsigned int object,
		      struct kipc_obj_info *info)
{
	const struct kipc_nl_obj_attrs *a = kipc_nl_obj_attrs(object);
	struct nlattr *tb[KIPC_NL_OBJ_MAX + 1];
	struct nlattr *name;
	size_t len;

	memset(info, 0, sizeof(*info));
	memset(tb, 0, sizeof(tb));
	if (genlmsg_parse(nlh, 0, tb, a->max, NULL) < 0)
		return -EPROTO;
	name = tb[a->name];
	if (!name || nla_len(name) < 1)
		return -EPROTO;
	len = strnlen(nla_data(name), (size_t)nla_len(name));
	if (!len || len > KIPC_NAME_MAX)
		return -EPROTO;
	memcpy(info->name, nla_data(name), len);
	info->name[len] = '\0';

	info->object = object;
	info->uid = kipc_u32(tb, a->uid);
	info->gid = kipc_u32(tb, a->gid);
	info->mode = kipc_u32(tb, a->mode);
	info->flags = kipc_u32(tb, a->flags);
	info->handles = kipc_u32(tb, a->handles);
	info->ctime_ns = kipc_u64(tb, a->ctime);
	if (object == KIPC_OBJECT_QUEUE) {
		info->max_msgs = kipc_u32(tb, KIPC_A_QUEUE_MAX_MSGS);
		info->max_msg_size = kipc_u32(tb, KIPC_A_QUEUE_MAX_MSG_SIZE);
		info->cur_msgs = kipc_u32(tb, KIPC_A_QUEUE_CUR_MSGS);
		info->cur_bytes = kipc_u64(tb, KIPC_A_QUEUE_CUR_BYTES);
		info->sent = kipc_u64(tb, KIPC_A_QUEUE_SENT);
		info->received = kipc_u64(tb, KIPC_A_QUEUE_RECEIVED);
		info->failed = kipc_u64(tb, KIPC_A_QUEUE_FAILED);
		info->dropped = kipc_u64(tb, KIPC_A_QUEUE_DROPPED);
		info->id = kipc_u64(tb, KIPC_A_QUEUE_ID);
	} else if (object == KIPC_OBJECT_REGION) {
		info->size = kipc_u64(tb, KIPC_A_REGION_SIZE);
		info->mappings = kipc_u64(tb, KIPC_A_REGION_MAPPINGS);
	} else {
		/* The producer nests are ring-get's alone; not parsed here. */
		info->size = kipc_u64(tb, KIPC_A_RING_SIZE);
		info->id = kipc_u64(tb, KIPC_A_RING_ID);
		info->slot_size = kipc_u32(tb, KIPC_A_RING_SLOT_SIZE);
		info->nr_slots = kipc_u32(tb, KIPC_A_RING_SLOTS);
		info->max_producers = kipc_u32(tb, KIPC_A_RING_MAX_PRODUCERS);
		info->producers = kipc_u32(tb, KIPC_A_RING_PRODUCERS);
		info->has_consumer = kipc_u32(tb, KIPC_A_RING_CONSUMER);
		info->head = kipc_u64(tb, KIPC_A_RING_HEAD);
		info->tail = kipc_u64(tb, KIPC_A_RING_TAIL);
		info->lost = kipc_u64(tb, KIPC_A_RING_LOST);
	}
	return 0;
}

/* A queue's introspection attributes; each absent one reads 0. */
static int kipc_nl_parse_state(struct nlmsghdr *nlh,
			       struct kipc_queue_state *st)
{
	struct nlattr *tb[KIPC_NL_OBJ_MAX + 1];

	memset(st, 0, sizeof(*st));
	memset(tb, 0, sizeof(tb));
	if (genlmsg_parse(nlh, 0, tb, KIPC_A_QUEUE_MAX, NULL) < 0)
		return -EPROTO;
	st->recv_waiters = kipc_u32(tb, KIPC_A_QUEUE_RECV_WAITERS);
	st->send_waiters = kipc_u32(tb, KIPC_A_QUEUE_SEND_WAITERS);
	st->notify_tid = (int32_t)kipc_u32(tb, KIPC_A_QUEUE_NOTIFY_PID);
	st->notify_signo = (int32_t)kipc_u32(tb, KIPC_A_QUEUE_NOTIFY_SIGNAL);
	st->last_send_pid = (int32_t)kipc_u32(tb, KIPC_A_QUEUE_LAST_SEND_PID);
	st->last_recv_pid = (int32_t)kipc_u32(tb, KIPC_A_QUEUE_LAST_RECV_PID);
	st->last_send_ns = kipc_u64(tb, KIPC_A_QUEUE_LAST_SEND_TIME);
	st->last_recv_ns = kipc_u64(tb, KIPC_A_QUEUE_LAST_RECV_TIME);
	return 0;
}

/* ---- dump ---- */

struct kipc_list_arg {
	unsigned int object;
	int (*cb)(const struct kipc_obj_info *info, void *arg);
	/* Instead of cb, for kipc_queue_inspect_all(). */
	int (*state_cb)(const struct kipc_obj_info *info,
			const struct kipc_queue_state *state, void *arg);
	void *cb_arg;
	int count;
	int error;	/* a parse failure, or the callback's negative value */
};

static int kipc_list_parse(struct nl_msg *msg, void *p)
{
	struct kipc_list_arg *arg = p;
	struct kipc_queue_state state;
	struct kipc_obj_info info;
	int ret;

	ret = kipc_nl_parse_obj(nlmsg_hdr(msg), arg->object, &info);
	if (!ret && arg->state_cb)
		ret = kipc_nl_parse_state(nlmsg_hdr(msg), &state);
	if (ret < 0) {
		arg->error = ret;
		return NL_STOP;
	}
	arg->count++;
	ret = arg->state_cb ? arg->state_cb(&info, &state, arg->cb_arg) :
			      arg->cb(&info, arg->cb_arg);
	if (ret) {
		if (ret < 0)
			arg->error = ret;
		return NL_STOP;
	}
	return NL_OK;
}

static int kipc_obj_dump(struct kipc_list_arg *arg)
{
	struct kipc_nl_request req = {
		.cmd = kipc_nl_obj_attrs(arg->object)->get_cmd,
		.flags = NLM_F_DUMP,
		.parse = kipc_list_parse,
		.arg = arg,
	};
	int ret;

	ret = kipc_nl_transact(&req);
	if (arg->error)
		return arg->error;
	return ret < 0 ? ret : arg->count;
}

int kipc_queue_inspect_all(int (*cb)(const struct kipc_obj_info *info,
				     const struct kipc_queue_state *state,
				     void *arg),
			   void *cb_arg)
{
	struct kipc_list_arg arg = {
		.object = KIPC_OBJECT_QUEUE,
		.state_cb = cb,
		.cb_arg = cb_arg,
	};

	if (!cb)
		return -EINVAL;
	return kipc_obj_dump(&arg);
}

static int kipc_obj_list(unsigned int object,
			 int (*cb)(const struct kipc_obj_info *info, void *arg),
			 void *cb_arg)
{
	struct kipc_list_arg arg = {
		.object = object,
		.cb = cb,
		.cb_arg = cb_arg,
	};

	if (!cb)
		return -EINVAL;
	return kipc_obj_dump(&arg);
}

int kipc_queue_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		    void *arg)
{
	return kipc_obj_list(KIPC_OBJECT_QUEUE, cb, arg);
}

int kipc_region_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		     void *arg)
{
	return kipc_obj_list(KIPC_OBJECT_REGION, cb, arg);
}

int kipc_ring_list(int (*cb)(const struct kipc_obj_info *info, void *arg),
		   void *arg)
{
	return kipc_obj_list(KIPC_OBJECT_RING, cb, arg);
}

/* ---- get ---- */

struct kipc_stat_arg {
	unsigned int object;
	const char *name;
	struct kipc_obj_info *info;
	struct kipc_queue_state *state;		/* or NULL */
	int error;
	int found;
};

static int kipc_stat_build(struct nl_msg *msg, void *p)
{
	struct kipc_stat_arg *arg = p;

	return nla_put_string(msg, kipc_nl_obj_attrs(arg->object)->name,
			      arg->name) < 0 ? -ENOMEM : 0;
}

static int kipc_stat_parse(struct nl_msg *msg, void *p)
{
	struct kipc_stat_arg *arg = p;

	arg->error = kipc_nl_parse_obj(nlmsg_hdr(msg), arg->object,
				       arg->info);
	if (!arg->error && arg->state)
		arg->error = kipc_nl_parse_state(nlmsg_hdr(msg), arg->state);
	arg->found = !arg->error;
	return NL_OK;
}

static int kipc_obj_stat(unsigned int object, const char *name,
			 struct kipc_obj_info *info,
			 struct kipc_queue_state *state)
{
	struct kipc_stat_arg arg = {
		.object = object,
		.name = name,
		.info = info,
		.state = state,
	};
	struct kipc_nl_request req = {
		.cmd = kipc_nl_obj_attrs(object)->get_cmd,
		.build = kipc_stat_build,
		.parse = kipc_stat_parse,
		.arg = &arg,
	};
	int ret;

	if (!info)
		return -EINVAL;
	ret = kipc_nl_check_name(name);
	if (ret < 0)
		return ret;
	ret = kipc_nl_transact(&req);
	if (ret < 0)
		return ret;
	if (arg.error)
		return arg.error;
	return arg.found ? 0 : -EPROTO;	/* acknowledged without a reply */
}

/*
 * Into the library's own structs, then out at the caller's sizes, which
 * are checked first so that a bad one fails before the request.
 */
static int kipc_obj_stat_sized(unsigned int object, const char *name,
			       struct kipc_obj_info *uinfo, size_t info_size,
			       struct kipc_queue_state *ustate,
			       size_t state_size)
{
	struct kipc_obj_info info;
	struct kipc_queue_state state;
	int ret;

	if (!uinfo)
		return -EINVAL;
	ret = kipc_struct_size_ok(info_size, KIPC_OBJ_INFO_SIZE_VER0);
	if (!ret && ustate)
		ret = kipc_struct_size_ok(state_size,
					  KIPC_QUEUE_STATE_SIZE_VER0);
	if (ret)
		return ret;
	ret = kipc_obj_stat(object, name, &info, ustate ? &state : NULL);
	if (ret)
		return ret;
	kipc_struct_out(uinfo, info_size, &info, sizeof(info),
			KIPC_OBJ_INFO_SIZE_VER0);
	if (ustate)
		kipc_struct_out(ustate, state_size, &state, sizeof(state),
				KIPC_QUEUE_STATE_SIZE_VER0);
	return 0;
}

int (kipc_queue_stat)(const char *name, struct kipc_obj_info *info,
		      size_t info_size)
{
	return kipc_obj_stat_sized(KIPC_OBJECT_QUEUE, name, info, info_size,
				   NULL, 0);
}

int (kipc_region_stat)(const char *name, struct kipc_obj_info *info,
		       size_t info_size)
{
	return kipc_obj_stat_sized(KIPC_OBJECT_REGION, name, info, info_size,
				   NULL, 0);
}

int (kipc_ring_stat)(const char *name, struct kipc_obj_info *info,
		     size_t info_size)
{
	return kipc_obj_stat_sized(KIPC_OBJECT_RING, name, info, info_size,
				   NULL, 0);
}

int (kipc_queue_inspect)(const char *name, struct kipc_obj_info *info,
			 size_t info_size, struct kipc_queue_state *state,
			 size_t state_size)
{
	if (!state)
		return -EINVAL;
	return kipc_obj_stat_sized(KIPC_OBJECT_QUEUE, name, info, info_size,
				   state, state_size);
}

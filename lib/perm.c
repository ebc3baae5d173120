// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Changing a queue's or a region's mode and owner by name, with the
 * queue-set and region-set netlink commands. As with chmod(2) and
 * chown(2), only the owner, the creator or a holder of CAP_IPC_OWNER may;
 * the kernel decides, and its errno is returned as it is.
 */

#include <errno.h>

#include <netlink/genl/genl.h>

#include "libkipc.h"
#include "internal.h"

struct kipc_set_arg {
	int name_attr, mode_attr, uid_attr, gid_attr;
	const char *name;
	int set_mode, set_uid, set_gid;
	uint32_t mode, uid, gid;
};

static int kipc_set_build(struct nl_msg *msg, void *p)
{
	struct kipc_set_arg *a = p;

	if (nla_put_string(msg, a->name_attr, a->name) < 0 ||
	    (a->set_mode && nla_put_u32(msg, a->mode_attr, a->mode) < 0) ||
	    (a->set_uid && nla_put_u32(msg, a->uid_attr, a->uid) < 0) ||
	    (a->set_gid && nla_put_u32(msg, a->gid_attr, a->gid) < 0))
		return -ENOMEM;
	return 0;
}

static int kipc_obj_set(struct kipc_set_arg *a, uint8_t cmd)
{
	struct kipc_nl_request req = {
		.cmd = cmd,
		.build = kipc_set_build,
		.arg = a,
	};
	int ret;

	ret = kipc_nl_check_name(a->name);
	if (ret < 0)
		return ret;
	return kipc_nl_transact(&req);
}

static void kipc_queue_set_arg(struct kipc_set_arg *a, const char *name)
{
	*a = (struct kipc_set_arg){
		.name_attr = KIPC_A_QUEUE_NAME, .mode_attr = KIPC_A_QUEUE_MODE,
		.uid_attr = KIPC_A_QUEUE_UID, .gid_attr = KIPC_A_QUEUE_GID,
		.name = name,
	};
}

static void kipc_region_set_arg(struct kipc_set_arg *a, const char *name)
{
	*a = (struct kipc_set_arg){
		.name_attr = KIPC_A_REGION_NAME, .mode_attr = KIPC_A_REGION_MODE,
		.uid_attr = KIPC_A_REGION_UID, .gid_attr = KIPC_A_REGION_GID,
		.name = name,
	};
}

/* The kernel refuses a mode beyond 0777 itself (ERANGE). */
static void kipc_set_mode(struct kipc_set_arg *a, mode_t mode)
{
	a->set_mode = 1;
	a->mode = (uint32_t)mode;
}

/*
 * (uid_t)-1 and (gid_t)-1 leave the ID as it is, as for chown(2). With
 * both, nothing changes, and the call only checks that the object exists.
 */
static int kipc_set_owner(struct kipc_set_arg *a, uid_t uid, gid_t gid)
{
	a->set_uid = uid != (uid_t)-1;
	a->uid = (uint32_t)uid;
	a->set_gid = gid != (gid_t)-1;
	a->gid = (uint32_t)gid;
	return a->set_uid || a->set_gid;
}

int kipc_queue_chmod(const char *name, mode_t mode)
{
	struct kipc_set_arg a;

	kipc_queue_set_arg(&a, name);
	kipc_set_mode(&a, mode);
	return kipc_obj_set(&a, KIPC_CMD_QUEUE_SET);
}

int kipc_queue_chown(const char *name, uid_t uid, gid_t gid)
{
	struct kipc_obj_info info;
	struct kipc_set_arg a;

	kipc_queue_set_arg(&a, name);
	if (!kipc_set_owner(&a, uid, gid))
		return kipc_queue_stat(name, &info);
	return kipc_obj_set(&a, KIPC_CMD_QUEUE_SET);
}

int kipc_region_chmod(const char *name, mode_t mode)
{
	struct kipc_set_arg a;

	kipc_region_set_arg(&a, name);
	kipc_set_mode(&a, mode);
	return kipc_obj_set(&a, KIPC_CMD_REGION_SET);
}

int kipc_region_chown(const char *name, uid_t uid, gid_t gid)
{
	struct kipc_obj_info info;
	struct kipc_set_arg a;

	kipc_region_set_arg(&a, name);
	if (!kipc_set_owner(&a, uid, gid))
		return kipc_region_stat(name, &info);
	return kipc_obj_set(&a, KIPC_CMD_REGION_SET);
}

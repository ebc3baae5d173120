// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Extensible structs across library versions, and the symbols that
 * binaries built against LIBKIPC_0.x call.
 *
 * Up to 0.4 these calls copied the library's own sizeof of a struct into
 * the caller's, so the first struct to grow would have overrun every
 * older program's stack or array. Since LIBKIPC_1.0 each takes the
 * caller's size (the header's macro of the same name passes sizeof). An
 * old binary still binds to the name@LIBKIPC_0.x below, and each of those
 * passes the size its struct had then.
 */

#include <string.h>

#include "libkipc.h"
#include "internal.h"

/* The 0.x sizes are the ends of the fields the structs had then. */
_Static_assert(KIPC_MODULE_INFO_SIZE_VER0 ==
	       offsetofend(struct kipc_module_info, features), "0.1 size");
_Static_assert(KIPC_PURGE_RESULT_SIZE_VER0 ==
	       offsetofend(struct kipc_purge_result, messages), "0.4 size");
_Static_assert(KIPC_STATS_SIZE_VER0 ==
	       offsetofend(struct kipc_stats, __reserved), "0.3 size");
_Static_assert(KIPC_OBJ_INFO_SIZE_VER0 ==
	       offsetofend(struct kipc_obj_info, __reserved), "0.3 size");
_Static_assert(offsetof(struct kipc_obj_info, slot_size) ==
	       KIPC_OBJ_INFO_SIZE_VER0, "1.1's ring fields follow 0.3's end");
_Static_assert(KIPC_QUEUE_STATE_SIZE_VER0 ==
	       offsetofend(struct kipc_queue_state, __reserved), "0.4 size");
_Static_assert(KIPC_EVENT_SIZE_VER0 ==
	       offsetof(struct kipc_event, obj) + KIPC_OBJ_INFO_SIZE_VER0,
	       "0.3 size");
_Static_assert(KIPC_MSG_INFO_SIZE_VER0 ==
	       offsetofend(struct kipc_msg_info, seq), "0.2 size");
_Static_assert(KIPC_QUEUE_CONFIG_SIZE_VER0 ==
	       offsetofend(struct kipc_queue_config, flags), "0.2 size");
_Static_assert(KIPC_QUEUE_ATTR_SIZE_VER0 ==
	       offsetofend(struct kipc_queue_attr, dropped), "0.2 size");
_Static_assert(KIPC_REGION_INFO_SIZE_VER0 ==
	       offsetofend(struct kipc_region_info, handle_flags), "0.2 size");
_Static_assert(KIPC_MSG_SIZE_VER0 == offsetofend(struct kipc_msg, seq),
	       "0.2 size");
_Static_assert(KIPC_RING_CONFIG_SIZE_VER0 ==
	       offsetofend(struct kipc_ring_config, __reserved), "1.1 size");
_Static_assert(KIPC_RING_INFO_SIZE_VER0 ==
	       offsetofend(struct kipc_ring_info, lost), "1.1 size");
_Static_assert(KIPC_RING_PRODUCER_SIZE_VER0 ==
	       offsetofend(struct kipc_ring_producer, bind_ns), "1.1 size");

int kipc_struct_out(void *dst, size_t usize, const void *src, size_t lsize,
		    size_t min)
{
	if (usize < min)
		return -EINVAL;
	if (usize <= lsize) {
		memcpy(dst, src, usize);
	} else {
		memcpy(dst, src, lsize);
		memset((char *)dst + lsize, 0, usize - lsize);
	}
	return 0;
}

int kipc_struct_in(void *dst, size_t lsize, const void *src, size_t usize,
		   size_t min)
{
	const unsigned char *p = src;
	size_t i;

	if (usize < min)
		return -EINVAL;
	if (usize <= lsize) {
		memcpy(dst, src, usize);
		memset((char *)dst + usize, 0, lsize - usize);
		return 0;
	}
	for (i = lsize; i < usize; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, src, lsize);
	return 0;
}

/*
 * The LIBKIPC_0.x entry points. Each is the 1.0 function at the struct
 * size of its release; the prototypes are theirs, not the header's.
 */
int kipc_module_version_v0(struct kipc_module_info *info);
int kipc_module_version_v0(struct kipc_module_info *info)
{
	return (kipc_module_version)(info, KIPC_MODULE_INFO_SIZE_VER0);
}
KIPC_SYMVER(kipc_module_version_v0, kipc_module_version, LIBKIPC_0.1);

int kipc_module_version_nl_v0(struct kipc_module_info *info);
int kipc_module_version_nl_v0(struct kipc_module_info *info)
{
	return (kipc_module_version_nl)(info, KIPC_MODULE_INFO_SIZE_VER0);
}
KIPC_SYMVER(kipc_module_version_nl_v0, kipc_module_version_nl, LIBKIPC_0.1);

int kipc_queue_open_v0(const char *name, int oflag, mode_t mode,
		       const struct kipc_queue_config *cfg);
int kipc_queue_open_v0(const char *name, int oflag, mode_t mode,
		       const struct kipc_queue_config *cfg)
{
	return (kipc_queue_open)(name, oflag, mode, cfg,
				 KIPC_QUEUE_CONFIG_SIZE_VER0);
}
KIPC_SYMVER(kipc_queue_open_v0, kipc_queue_open, LIBKIPC_0.2);

int kipc_queue_recv_flags_v0(int fd, void *buf, size_t len,
			     struct kipc_msg_info *info, unsigned int flags,
			     uint64_t type, const struct timespec *abs_timeout);
int kipc_queue_recv_flags_v0(int fd, void *buf, size_t len,
			     struct kipc_msg_info *info, unsigned int flags,
			     uint64_t type, const struct timespec *abs_timeout)
{
	return (kipc_queue_recv_flags)(fd, buf, len, info,
				       KIPC_MSG_INFO_SIZE_VER0, flags, type,
				       abs_timeout);
}
KIPC_SYMVER(kipc_queue_recv_flags_v0, kipc_queue_recv_flags, LIBKIPC_0.2);

int kipc_queue_recv_v0(int fd, void *buf, size_t len,
		       struct kipc_msg_info *info);
int kipc_queue_recv_v0(int fd, void *buf, size_t len,
		       struct kipc_msg_info *info)
{
	return (kipc_queue_recv_flags)(fd, buf, len, info,
				       KIPC_MSG_INFO_SIZE_VER0, 0, 0, NULL);
}
KIPC_SYMVER(kipc_queue_recv_v0, kipc_queue_recv, LIBKIPC_0.2);

int kipc_queue_timedrecv_v0(int fd, void *buf, size_t len,
			    struct kipc_msg_info *info,
			    const struct timespec *abs_timeout);
int kipc_queue_timedrecv_v0(int fd, void *buf, size_t len,
			    struct kipc_msg_info *info,
			    const struct timespec *abs_timeout)
{
	return (kipc_queue_recv_flags)(fd, buf, len, info,
				       KIPC_MSG_INFO_SIZE_VER0, 0, 0,
				       abs_timeout);
}
KIPC_SYMVER(kipc_queue_timedrecv_v0, kipc_queue_timedrecv, LIBKIPC_0.2);

int kipc_queue_send_batch_v0(int fd, struct kipc_msg *msgs,
			     unsigned int count, unsigned int flags,
			     const struct timespec *abs_timeout);
int kipc_queue_send_batch_v0(int fd, struct kipc_msg *msgs,
			     unsigned int count, unsigned int flags,
			     const struct timespec *abs_timeout)
{
	return (kipc_queue_send_batch)(fd, msgs, count, KIPC_MSG_SIZE_VER0,
				       flags, abs_timeout);
}
KIPC_SYMVER(kipc_queue_send_batch_v0, kipc_queue_send_batch, LIBKIPC_0.2);

int kipc_queue_recv_batch_v0(int fd, struct kipc_msg *msgs,
			     unsigned int count, unsigned int flags,
			     const struct timespec *abs_timeout);
int kipc_queue_recv_batch_v0(int fd, struct kipc_msg *msgs,
			     unsigned int count, unsigned int flags,
			     const struct timespec *abs_timeout)
{
	return (kipc_queue_recv_batch)(fd, msgs, count, KIPC_MSG_SIZE_VER0,
				       flags, abs_timeout);
}
KIPC_SYMVER(kipc_queue_recv_batch_v0, kipc_queue_recv_batch, LIBKIPC_0.2);

int kipc_queue_getattr_v0(int fd, struct kipc_queue_attr *attr);
int kipc_queue_getattr_v0(int fd, struct kipc_queue_attr *attr)
{
	return (kipc_queue_getattr)(fd, attr, KIPC_QUEUE_ATTR_SIZE_VER0);
}
KIPC_SYMVER(kipc_queue_getattr_v0, kipc_queue_getattr, LIBKIPC_0.2);

int kipc_region_info_v0(int fd, struct kipc_region_info *info);
int kipc_region_info_v0(int fd, struct kipc_region_info *info)
{
	return (kipc_region_info)(fd, info, KIPC_REGION_INFO_SIZE_VER0);
}
KIPC_SYMVER(kipc_region_info_v0, kipc_region_info, LIBKIPC_0.2);

int kipc_queue_stat_v0(const char *name, struct kipc_obj_info *info);
int kipc_queue_stat_v0(const char *name, struct kipc_obj_info *info)
{
	return (kipc_queue_stat)(name, info, KIPC_OBJ_INFO_SIZE_VER0);
}
KIPC_SYMVER(kipc_queue_stat_v0, kipc_queue_stat, LIBKIPC_0.3);

int kipc_region_stat_v0(const char *name, struct kipc_obj_info *info);
int kipc_region_stat_v0(const char *name, struct kipc_obj_info *info)
{
	return (kipc_region_stat)(name, info, KIPC_OBJ_INFO_SIZE_VER0);
}
KIPC_SYMVER(kipc_region_stat_v0, kipc_region_stat, LIBKIPC_0.3);

int kipc_stats_get_v0(struct kipc_stats *st);
int kipc_stats_get_v0(struct kipc_stats *st)
{
	return (kipc_stats_get)(st, KIPC_STATS_SIZE_VER0);
}
KIPC_SYMVER(kipc_stats_get_v0, kipc_stats_get, LIBKIPC_0.3);

int kipc_monitor_next_v0(struct kipc_monitor *mon, struct kipc_event *ev,
			 int timeout_ms);
int kipc_monitor_next_v0(struct kipc_monitor *mon, struct kipc_event *ev,
			 int timeout_ms)
{
	return kipc_monitor_next_kinds(mon, ev, KIPC_EVENT_SIZE_VER0,
				       timeout_ms, 0);
}
KIPC_SYMVER(kipc_monitor_next_v0, kipc_monitor_next, LIBKIPC_0.3);

/*
 * LIBKIPC_1.0's has the signature of 1.1's, but its callers know no ring
 * event type: they are not shown one.
 */
int kipc_monitor_next_v1_0(struct kipc_monitor *mon, struct kipc_event *ev,
			   size_t ev_size, int timeout_ms);
int kipc_monitor_next_v1_0(struct kipc_monitor *mon, struct kipc_event *ev,
			   size_t ev_size, int timeout_ms)
{
	return kipc_monitor_next_kinds(mon, ev, ev_size, timeout_ms, 0);
}
KIPC_SYMVER(kipc_monitor_next_v1_0, kipc_monitor_next, LIBKIPC_1.0);

int kipc_purge_v0(unsigned int flags, struct kipc_purge_result *res);
int kipc_purge_v0(unsigned int flags, struct kipc_purge_result *res)
{
	return (kipc_purge)(flags, res, KIPC_PURGE_RESULT_SIZE_VER0);
}
KIPC_SYMVER(kipc_purge_v0, kipc_purge, LIBKIPC_0.4);

int kipc_queue_inspect_v0(const char *name, struct kipc_obj_info *info,
			  struct kipc_queue_state *state);
int kipc_queue_inspect_v0(const char *name, struct kipc_obj_info *info,
			  struct kipc_queue_state *state)
{
	return (kipc_queue_inspect)(name, info, KIPC_OBJ_INFO_SIZE_VER0, state,
				    KIPC_QUEUE_STATE_SIZE_VER0);
}
KIPC_SYMVER(kipc_queue_inspect_v0, kipc_queue_inspect, LIBKIPC_0.4);

// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc: the module parameters. They live in a file of their own, which
 * calls nothing, so that every file may read them without depending on
 * main.c, which calls into every file.
 *
 * Locking: none. Each parameter is one word that root may write through
 * sysfs at any time; every reader takes it once with READ_ONCE() and
 * works with that value.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "kipc_internal.h"

unsigned int kipc_default_max_msgs = 10;
module_param_named(default_max_msgs, kipc_default_max_msgs, uint, 0644);
MODULE_PARM_DESC(default_max_msgs, "Capacity of a queue created with max_msgs 0");

unsigned int kipc_max_msgs_limit = 1024;
module_param_named(max_msgs_limit, kipc_max_msgs_limit, uint, 0644);
MODULE_PARM_DESC(max_msgs_limit, "Largest max_msgs without CAP_SYS_RESOURCE");

unsigned int kipc_default_msg_size = 8192;
module_param_named(default_msg_size, kipc_default_msg_size, uint, 0644);
MODULE_PARM_DESC(default_msg_size, "Largest payload of a queue created with max_msg_size 0");

unsigned int kipc_msg_size_limit = 65536;
module_param_named(msg_size_limit, kipc_msg_size_limit, uint, 0644);
MODULE_PARM_DESC(msg_size_limit, "Largest max_msg_size without CAP_SYS_RESOURCE");

unsigned int kipc_max_queues = 256;
module_param_named(max_queues, kipc_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues, "Queues per IPC namespace without CAP_SYS_RESOURCE");

/*
 * The longest a blocked send or receive spins before it sleeps; each
 * queue's window adapts below it. KVM's halt-polling default is 200 us;
 * a queue's peer usually answers within far less.
 */
unsigned int kipc_poll_ns = 50000;
module_param_named(poll_ns, kipc_poll_ns, uint, 0644);
MODULE_PARM_DESC(poll_ns, "Longest poll before a blocked send or receive sleeps, in ns; 0: never poll");

unsigned long kipc_max_region_size = 256UL << 20;
module_param_named(max_region_size, kipc_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size, "Largest region in bytes");

unsigned int kipc_max_regions = 256;
module_param_named(max_regions, kipc_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions, "Regions per IPC namespace without CAP_SYS_RESOURCE");

unsigned long kipc_max_ring_size = 64UL << 20;
module_param_named(max_ring_size, kipc_max_ring_size, ulong, 0644);
MODULE_PARM_DESC(max_ring_size, "Largest ring in bytes, control pages included");

unsigned int kipc_max_rings = 256;
module_param_named(max_rings, kipc_max_rings, uint, 0644);
MODULE_PARM_DESC(max_rings, "Rings per IPC namespace without CAP_SYS_RESOURCE");

unsigned long kipc_max_user_region_bytes = 1UL << 30;
module_param_named(max_user_region_bytes, kipc_max_user_region_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_region_bytes,
		 "Bytes of regions and rings per user without CAP_SYS_RESOURCE, mapped ones included");

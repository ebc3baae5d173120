// SPDX-License-Identifier: GPL-2.0-only
/*
 * kipc ring list and kipc ring show: rings as the netlink family describes
 * them, through object.c like queues and regions, so they need no handle
 * and no access to the ring. Rings have no chmod or chown: the family has
 * no ring-set.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libkipc.h>

#include "cli.h"

static void ring_fields(const struct obj_row *row)
{
	const struct kipc_obj_info *i = &row->info;

	field_uint("slot_size", i->slot_size);
	field_uint("slots", i->nr_slots);
	field_uint("size", i->size);
	field_uint("max_producers", i->max_producers);
	field_uint("producers", i->producers);
	field_bool("consumer", i->has_consumer);
	/* The ring's own words, as user space last wrote them. */
	field_uint("head", i->head);
	field_uint("tail", i->tail);
	field_uint("lost", i->lost);
	field_uint("id", i->id);
}

static const struct list_col ring_columns[] = {
	{ "SLOTS", "slots", true, true },
	{ "SLOTSIZE", "bytes per slot", true, true },
	{ "SIZE", "bytes mapped", true, false },
	{ "HANDLES", "bound handles", true, true },
	{ "PRODUCERS", "producers bound, of the most it takes", true, true },
	{ "CONSUMER", "whether a consumer is bound", false, true },
	{ "FILL", "head - tail: records not yet consumed", true, true },
	{ "LOST", "records lost to dead producers", true, true },
	{ "ID", "incarnation id", true, false },
};

static void ring_cells(const struct obj_row *row, char (*cell)[CELL_MAX])
{
	const struct kipc_obj_info *i = &row->info;

	snprintf(cell[0], CELL_MAX, "%u", i->nr_slots);
	format_size(cell[1], CELL_MAX, i->slot_size);
	format_size(cell[2], CELL_MAX, i->size);
	snprintf(cell[3], CELL_MAX, "%u", i->handles);
	snprintf(cell[4], CELL_MAX, "%u/%u", i->producers, i->max_producers);
	snprintf(cell[5], CELL_MAX, "%s", i->has_consumer ? "yes" : "no");
	/* User-written words: a head behind the tail is shown as it is. */
	snprintf(cell[6], CELL_MAX, "%" PRId64, (int64_t)(i->head - i->tail));
	snprintf(cell[7], CELL_MAX, "%" PRIu64, i->lost);
	snprintf(cell[8], CELL_MAX, "%" PRIu64, i->id);
}

struct ring_list_arg {
	int (*cb)(const struct obj_row *row, void *arg);
	void *arg;
};

static int ring_row(const struct kipc_obj_info *info, void *p)
{
	struct ring_list_arg *a = p;
	struct obj_row row = { .info = *info };

	return a->cb(&row, a->arg);
}

static int ring_list_rows(int (*cb)(const struct obj_row *row, void *arg),
			  void *arg)
{
	struct ring_list_arg a = { cb, arg };

	return kipc_ring_list(ring_row, &a);
}

static int ring_stat_row(const char *name, struct obj_row *row)
{
	memset(row, 0, sizeof(*row));
	return kipc_ring_stat(name, &row->info);
}

const struct obj_kind ring_kind = {
	.object = "ring",
	.list = ring_list_rows,
	.stat = ring_stat_row,
	.columns = ring_columns,
	.ncolumns = sizeof(ring_columns) / sizeof(ring_columns[0]),
	.cells = ring_cells,
	.fields = ring_fields,
};

int ring_show(int argc, char **argv)
{
	return obj_show(&ring_kind, argc, argv);
}

int ring_list(int argc, char **argv)
{
	return obj_list(&ring_kind, argc, argv);
}

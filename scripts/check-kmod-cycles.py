#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Proves that kmod's files call and include each other without a cycle.

  check-kmod-cycles.py TOP OBJDIR

The call graph comes from the objects kbuild left in OBJDIR: file A
depends on file B when A's object has an undefined symbol that B's
defines (nm), so a call through a function pointer, such as an object
type's kipc_obj_ops, is no edge, which is the point of those. The include
graph comes from the sources' #include "..." lines. The shared header,
kipc_internal.h, which declares what every file offers, is left out of
the include graph; so is netlink_gen.c, which the generator writes as the
other half of netlink.c (its op table names netlink.c's handlers, and
netlink.c registers its table) and which counts as netlink.c.

A cycle is printed as its files in order, and fails the check.
"""

import glob
import os
import re
import subprocess
import sys

TOP, OBJDIR = sys.argv[1], sys.argv[2]
SHARED = {"kipc_internal.h"}
SAME = {"netlink_gen": "netlink"}


def unit(path):
    base = os.path.splitext(os.path.basename(path))[0]
    return SAME.get(base, base)


def find_cycle(graph):
    """One cycle of graph (node -> set of nodes), or None."""
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


bad = 0

# The call graph, from the objects.
objs = [o for o in glob.glob(f"{OBJDIR}/*.o")
        if not o.endswith(".mod.o") and os.path.basename(o) != "kipc.o"]
sources = {unit(c) for c in glob.glob(f"{TOP}/kmod/*.c")}
if {unit(o) for o in objs} != sources:
    print(f"check-kmod-cycles: {OBJDIR} does not hold an object for each kmod/*.c; build first")
    sys.exit(1)
defined, undefined = {}, {}
for o in objs:
    out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            undefined.setdefault(unit(o), set()).add(f[1])
        elif len(f) == 3 and f[1] in "TDRBV":
            defined[f[2]] = unit(o)
calls = {}
for u, syms in undefined.items():
    for s in syms:
        d = defined.get(s)
        if d and d != u:
            calls.setdefault(u, set()).add(d)
c = find_cycle(calls)
if c:
    print("check-kmod-cycles: call cycle: " + " -> ".join(c))
    bad = 1

# The include graph, from the sources.
incs = {}
for path in glob.glob(f"{TOP}/kmod/*.[ch]"):
    name = os.path.basename(path)
    if name in SHARED:
        continue
    with open(path, encoding="utf-8") as f:
        for inc in re.findall(r'^#\s*include\s+"([^"]+)"', f.read(), re.M):
            if inc not in SHARED and inc != name:
                incs.setdefault(name, set()).add(inc)
c = find_cycle(incs)
if c:
    print("check-kmod-cycles: include cycle: " + " -> ".join(c))
    bad = 1

if bad:
    sys.exit(1)
edges = sum(len(v) for v in calls.values())
print(f"check-kmod-cycles: no cycle among kmod's {len(sources)} files "
      f"({edges} call edges, {sum(len(v) for v in incs.values())} include edges)")

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks the hand-written netlink code against the family's spec.

The spec (Documentation/netlink/specs/kipc.yaml) generates the uapi enums
and kmod's policies and op table (make regen; check-regen compares). What
the generator does not write is checked here:

  - every definition the spec takes from uapi/linux/kipc.h ("header:")
    is there with the spec's value, and every KIPC_FEAT_*, KIPC_QUEUE_*
    and KIPC_REGION_* flag of that header is in the spec;
  - every attribute that kmod puts and that the library and the CLI read
    or put is accessed at the width of its type in the spec: nla_put_u32,
    nla_get_u32 and the libraries' kipc_*u32 helpers for u32,
    nla_put_u64_64bit, nla_get_u64 and kipc_*u64 for u64, the string
    calls for strings. An accessor reached through a table of attribute
    numbers (.uid = KIPC_A_QUEUE_UID, then kipc_u32(tb, a->uid)) counts
    for each attribute the file's tables give that member.

Usage: check-netlink.py TOP
"""

import re
import sys

import yaml

TOP = sys.argv[1]
errors = []


def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


with open(f"{TOP}/Documentation/netlink/specs/kipc.yaml", encoding="utf-8") as f:
    spec = yaml.safe_load(f)
with open(f"{TOP}/uapi/linux/kipc.h", encoding="utf-8") as f:
    uapi = f.read()

# Definitions kept in the hand-written header.
bit_re = r"(?:1U?L?L?\s*<<\s*(\d+)|_BITULL\((\d+)\)|_BITUL\((\d+)\)|BIT\((\d+)\))"
for d in spec["definitions"]:
    if d.get("header") != "linux/kipc.h":
        continue
    if d["type"] == "const":
        name = c_name(spec["name"], "-", d["name"])
        m = re.search(rf"#define\s+{name}\s+(\S+)", uapi)
        if not m or int(m.group(1), 0) != d["value"]:
            errors.append(f"{name}: the spec says {d['value']}, uapi/linux/kipc.h "
                          f"{m.group(1) if m else 'nothing'}")
    elif d["type"] == "flags":
        prefix = c_name(d["name-prefix"])
        want = {}
        for i, e in enumerate(d["entries"]):
            e = e["name"] if isinstance(e, dict) else e
            want[c_name(d["name-prefix"], e)] = i
        have = {}
        # An enum of the spec's name, or, for 64-bit flags (an enum
        # cannot hold them in C99), one #define per bit.
        m = re.search(rf"enum\s+{d['enum-name']}\s*{{(.*?)}};", uapi, re.S)
        if m:
            where = f"enum {d['enum-name']}"
            found = re.findall(rf"({prefix}\w+)\s*=\s*{bit_re}", m.group(1))
        else:
            where = "its #defines"
            found = re.findall(rf"#define\s+({prefix}\w+)\s+{bit_re}", uapi)
        if not found:
            errors.append(f"{d['name']}: neither enum {d['enum-name']} nor "
                          f"{prefix}* defines in uapi/linux/kipc.h")
            continue
        for n, *bits in found:
            have[n] = int(next(b for b in bits if b))
        for n in sorted(set(want) | set(have)):
            if want.get(n) != have.get(n):
                errors.append(f"{n}: bit {want.get(n)} in the spec, "
                              f"{have.get(n)} in {where}")

# Attribute types by C name.
types = {}
for s in spec["attribute-sets"]:
    for a in s["attributes"]:
        types[c_name(s["name-prefix"], a["name"])] = a["type"]

WIDTH = {"u32": "u32", "u64": "u64", "string": "string"}
ACCESS = [
    (r"nla_put_u32\(\w+,\s*", "u32"),
    (r"nla_put_u64_64bit\(\w+,\s*", "u64"),
    (r"nla_put_string\(\w+,\s*", "string"),
    (r"nla_get_u32\(\w+\[", "u32"),
    (r"nla_get_u64\(\w+\[", "u64"),
    (r"kipc_\w*u32\(tb,\s*", "u32"),
    (r"kipc_\w*u64\(tb,\s*", "u64"),
]

files = sys.stdin.read().split()
for path in files:
    with open(f"{TOP}/{path}", encoding="utf-8") as f:
        src = f.read()
    members = {}
    for mem, attr in re.findall(r"\.(\w+)\s*=\s*(KIPC_A_\w+)", src):
        members.setdefault(mem, set()).add(attr)
    for pat, width in ACCESS:
        for m in re.finditer(pat + r"(?:(KIPC_A_\w+)|\w+(?:->|\.)(\w+))", src):
            attrs = {m.group(1)} if m.group(1) else members.get(m.group(2), set())
            line = src.count("\n", 0, m.start()) + 1
            for attr in attrs:
                t = types.get(attr)
                if t is None:
                    errors.append(f"{path}:{line}: {attr} is no attribute of the spec")
                elif WIDTH.get(t) != width:
                    errors.append(f"{path}:{line}: {attr} is {t} in the spec, "
                                  f"accessed as {width}")

for e in errors:
    print(f"check-netlink: {e}")
if errors:
    sys.exit(1)
print(f"check-netlink: {len(files)} files agree with the spec")

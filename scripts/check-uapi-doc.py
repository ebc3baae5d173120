#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Prove that Documentation/userspace-api/kipc.rst and uapi/linux/kipc.h
describe the same ABI.

kipc.rst shows each ioctl struct in a code or literal block; every struct it shows
must list the header's fields, in the header's order, with the header's
types. Every flag of the header's flag enums, every KIPC_IOC_* ioctl and
every KIPC_FEAT_* bit must be named in kipc.rst. The checks run in
"make check-static"; exit status 1 and one line per difference when the
two disagree.

usage: check-uapi-doc.py HEADER RST
"""

import re
import sys

FLAG_ENUMS = (
    "kipc_queue_bind_flags",
    "kipc_io_flags",
    "kipc_handle_flags",
    "kipc_notify_flags",
    "kipc_peer_flags",
    "kipc_region_bind_flags",
    "kipc_purge_flags",
    "kipc_ring_bind_flags",
    "kipc_ring_wait_flags",
    "kipc_ring_wake_flags",
    "kipc_ring_producer_flags",
)

FIELD = re.compile(r"^\s*((?:struct\s+)?[A-Za-z_][A-Za-z0-9_]*)\s+"
                   r"([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?\s*;")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def structs(text):
    """{name: [(type, field), ...]} of every struct kipc_* body in text."""
    out = {}
    for m in re.finditer(r"struct\s+(kipc_[a-z_0-9]+)\s*\{(.*?)\n\s*\};",
                         strip_comments(text), re.S):
        fields = []
        for line in m.group(2).split("\n"):
            f = FIELD.match(line)
            if f:
                fields.append((" ".join(f.group(1).split()),
                               f.group(2) + (f.group(3) or "")))
        out[m.group(1)] = fields
    return out


def rst_code(text):
    """The text of kipc.rst's code blocks, where its structs are shown."""
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if (lines[i].strip().startswith(".. code-block::") or
                lines[i].rstrip().endswith("::")):
            i += 1
            while i < len(lines) and (not lines[i].strip() or
                                      lines[i].startswith(" ")):
                blocks.append(lines[i])
                i += 1
        else:
            i += 1
    return "\n".join(blocks)


def enum_names(header, name):
    m = re.search(r"enum\s+" + name + r"\s*\{(.*?)\};",
                  strip_comments(header), re.S)
    if not m:
        return None
    return re.findall(r"\b(KIPC_[A-Z0-9_]+)\s*=", m.group(1))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    header = open(sys.argv[1]).read()
    rst = open(sys.argv[2]).read()
    errors = []

    hs = structs(header)
    rs = structs(rst_code(rst))
    for name, fields in sorted(rs.items()):
        if name not in hs:
            errors.append(f"kipc.rst shows struct {name}, which the header "
                          "does not have")
        elif fields != hs[name]:
            errors.append(f"struct {name}: kipc.rst lists "
                          f"{[' '.join(f) for f in fields]}, the header "
                          f"{[' '.join(f) for f in hs[name]]}")
    for name in sorted(hs):
        # Every ioctl's struct is shown; kipc_msg travels inside two.
        if name not in rs:
            errors.append(f"kipc.rst does not show struct {name}")

    words = set(re.findall(r"\bKIPC_[A-Z0-9_]+\b", rst))
    for enum in FLAG_ENUMS:
        names = enum_names(header, enum)
        if names is None:
            errors.append(f"the header has no enum {enum}")
            continue
        for n in names:
            if n not in words:
                errors.append(f"kipc.rst does not name {n} (enum {enum})")
    for n in sorted(set(re.findall(r"#define\s+(KIPC_(?:IOC|FEAT)_[A-Z0-9_]+)",
                                   header))):
        if n != "KIPC_IOC_MAGIC" and n not in words:
            errors.append(f"kipc.rst does not name {n}")

    for e in errors:
        print(f"check-uapi-doc: {e}")
    if errors:
        sys.exit(1)
    print(f"check-uapi-doc: kipc.rst and the header agree on {len(hs)} "
          "structs, their fields, and every flag, ioctl and feature bit")


if __name__ == "__main__":
    main()

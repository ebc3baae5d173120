#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every non-static function of the given kmod files has a kernel-doc
comment with a Context: section, and a Return: section unless it returns
void. The kernel's scripts/kernel-doc checks the comments' form.

Usage: check-kdoc.py FILE...
"""

import re
import sys

bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        src = f.read()
    # A definition: at the start of a line, not static, ending in ") {"
    # or a line of attributes (__releases(), __must_hold()) before "{".
    for m in re.finditer(r"^((?!static\b)[a-z_][\w \t*]*?\b(\w+)\([^;{]*?\))\s*(?:\n\t__\w+\([^)]*\))?\n\{",
                         src, re.M):
        head, name = m.group(1), m.group(2)
        if name in ("module_init", "module_exit"):
            continue
        before = src[:m.start()]
        doc = re.search(r"/\*\*\n(?:(?!\*/).)*\*/\n$", before, re.S)
        line = src.count("\n", 0, m.start()) + 1
        if not doc or not re.match(rf"/\*\*\n \* {name}\(\) - ", doc.group(0)):
            print(f"{path}:{line}: {name}() has no kernel-doc comment")
            bad = 1
            continue
        text = doc.group(0)
        if "\n * Context: " not in text:
            print(f"{path}:{line}: {name}()'s kernel-doc has no Context:")
            bad = 1
        returns_void = re.match(r"(?:\w+\s+)*void\s+\w+\(", head.replace("__init ", ""))
        if not returns_void and "\n * Return: " not in text:
            print(f"{path}:{line}: {name}()'s kernel-doc has no Return:")
            bad = 1
sys.exit(bad)

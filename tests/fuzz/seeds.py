#!/usr/bin/python3
# feedmesh fuzzing: turns a file of cases, one per line, into a directory
# of seed files for libFuzzer. Lines starting with '#' and blank lines are
# skipped; the escapes \n, \r, \t, \\ and \xHH stand for the bytes they name
# (the format of tests/sanitize/xss.txt).
# Usage: seeds.py CASES-FILE OUT-DIR
import os
import re
import sys


def unescape(line):
    """The bytes a line of the cases file names."""
    out = bytearray()
    i = 0
    raw = line.encode("utf-8", "surrogateescape")
    while i < len(raw):
        c = raw[i:i + 1]
        if c == b"\\" and i + 1 < len(raw):
            n = raw[i + 1:i + 2]
            if n in (b"n", b"r", b"t", b"\\"):
                out += {b"n": b"\n", b"r": b"\r", b"t": b"\t",
                        b"\\": b"\\"}[n]
                i += 2
                continue
            m = re.match(rb"x([0-9a-fA-F]{2})", raw[i + 1:i + 4])
            if m:
                out.append(int(m.group(1), 16))
                i += 4
                continue
        out += c
        i += 1
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seeds.py CASES-FILE OUT-DIR")
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    with open(src, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            n += 1
            with open(os.path.join(out, "seed%04d" % n), "wb") as o:
                o.write(unescape(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""phase-kibs.py - KiB/s per phase from vmsim JSON reports, side by side.

Usage: scripts/phase-kibs.py REPORT.json [REPORT2.json ...]
Prints one row per run (backend, pager) and one column per phase (W, R,
W+lock, R+lock ...) per report: the program's bytes (read + written through
the pager) over the phase's simulated time, as the original benchmark
reported it (buffer bytes x reps / phase time).
"""
import json
import sys


def rows(path):
    out = {}
    for r in json.load(open(path))["runs"]:
        ph = {}
        for p in r["phases"]:
            if p["name"].startswith("("):
                continue
            b = p["access_read"] + p["access_written"]
            ph[p["name"]] = b / 1024.0 / (p["time_ns"] / 1e9) if p["time_ns"] else float("inf")
        out[(r["backend"], r["pager"])] = ph
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    reps = [rows(p) for p in sys.argv[1:]]
    names = []
    for rep in reps:
        for ph in rep.values():
            for n in ph:
                if n not in names:
                    names.append(n)
    head = "%-26s" % "backend" + "".join(
        " %9s" % ("%s%s" % (n, "" if len(reps) == 1 else "#%d" % (i + 1))) for n in names for i in range(len(reps)))
    print(head)
    for key in reps[0]:
        line = "%-26s" % key[0]
        for n in names:
            for rep in reps:
                v = rep.get(key, {}).get(n)
                line += " %9s" % ("-" if v is None else "%.1f" % v)
        print(line)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""stack_walk.py - worst-case stack depth of a firmware's call graph.

Reads the disassembly of a linked ELF (objdump -d) and the -fstack-usage
(.su) files of the objects in it, builds the direct call graph (calls and
tail jumps to the start of another function), and prints the deepest path
from any of the given entry functions, then the deepest path that ends in a
call through a pointer, one line each:

    <bytes> <flags> <f1>><f2>>...

bytes = sum over the path of each function's .su frame. GCC's .su figure
includes the saved registers and, on AVR, the return address the call pushed
(checked against the prologues of avr-gcc 5.4); on ARM the callee's push of
LR is in it. A function without a .su entry (libc, libgcc) counts as --ret
bytes: the return address a call pushes (2 on AVR with a 16-bit PC, 0 on
ARM). A tail jump frees the caller's frame first. A call through a pointer
(a backend or event callback) is an edge to "(callback)" of frame 0: the
callback's own .su figure comes on top. flags: 'i' if the path ends
in "(callback)" (add that callback's own stack), 'd' if a frame on it is
dynamic and unbounded, 'r' if it runs into a cycle (recursion: then the figure
is not a bound), '-' if none.
"""
import argparse
import re
import sys

CALL = {"call", "rcall", "bl", "blx"}
JUMP = {"jmp", "rjmp", "b", "b.w", "b.n"}
INDIRECT = {"icall", "eicall", "ijmp", "eijmp"}
CALLBACK = "(callback)"


def parse_su(paths):
    frames, dynamic = {}, set()
    for p in paths:
        with open(p) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3:
                    continue
                name = parts[0].rsplit(":", 1)[-1]
                frames[name] = max(frames.get(name, 0), int(parts[1]))
                if "dynamic" in parts[2] and "bounded" not in parts[2]:
                    dynamic.add(name)
    return frames, dynamic


def parse_disasm(path):
    head = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
    target = re.compile(r"<([^>+]+)(\+0x[0-9a-f]+)?>")
    calls, tails, indirect = {}, {}, set()
    cur = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = head.match(line)
            if m:
                cur = m.group(1)
                calls.setdefault(cur, set())
                tails.setdefault(cur, set())
                continue
            if cur is None or ":\t" not in line:
                continue
            ins = line.split(":\t", 1)[1].split("\t")
            # objdump may print raw bytes before the mnemonic; find it.
            words = [w.strip() for w in ins if w.strip()]
            if not words:
                continue
            mnem, rest = None, ""
            for i, w in enumerate(words):
                tok = w.split()[0]
                if tok in CALL or tok in JUMP or tok in INDIRECT or tok in ("bx",) \
                        or not re.fullmatch(r"([0-9a-f]{2} ?)+", w):
                    mnem = tok
                    rest = " ".join([w[len(tok):]] + words[i + 1:])
                    break
            if mnem is None:
                continue
            if mnem in ("ijmp", "eijmp") and cur.startswith("__tablejump"):
                continue  # libgcc's switch-table dispatch: a jump inside the caller
            if mnem in INDIRECT or (mnem in ("blx", "bx") and re.match(r"\s*(r\d+|ip)", rest)):
                # A call through a pointer: a backend or event callback.
                (tails if mnem in ("ijmp", "eijmp", "bx") else calls)[cur].add(CALLBACK)
                indirect.add(cur)
                continue
            t = target.search(rest)
            if not t:
                continue
            sym, off = t.group(1), t.group(2)
            if mnem in CALL:
                if sym == cur:
                    continue  # "rcall .+0": AVR's way to reserve 2 bytes; in .su
                calls[cur].add(sym)
            elif mnem in JUMP and sym != cur and not off:
                tails[cur].add(sym)
    return calls, tails, indirect


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--disasm", required=True)
    ap.add_argument("--ret", type=int, default=0)
    ap.add_argument("--entry", action="append", default=[])
    ap.add_argument("su", nargs="*")
    a = ap.parse_args()
    frames, dynamic = parse_su(a.su)
    calls, tails, indirect = parse_disasm(a.disasm)

    memo, onstack = {}, set()

    def better(a, b):
        """The deeper of two (bytes, path, flags); None is shallowest."""
        if a is None:
            return b
        if b is None or a[0] >= b[0]:
            return a
        return b

    def depth(fn):
        """(deepest, deepest ending in a callback) below entering fn; each
        is (bytes, path, flags) or None."""
        if fn in memo:
            return memo[fn]
        if fn in onstack:
            return ((0, [fn + "(recursion)"], {"r"}), None)
        onstack.add(fn)
        # A GCC clone is "f.constprop.0" in the ELF and "f.constprop" in
        # the .su file: look it up without the number.
        own = 0 if fn == CALLBACK else frames.get(fn, frames.get(re.sub(r"\.\d+$", "", fn), a.ret))
        flags = {"d"} if fn in dynamic else set()
        best = (own, [fn], set(flags))
        best_cb = (own, [fn], flags | {"i"}) if fn == CALLBACK else None
        for c in sorted(calls.get(fn, ())):
            d, dcb = depth(c)
            best = better(best, (own + d[0], [fn] + d[1], flags | d[2]))
            if dcb:
                best_cb = better(best_cb, (own + dcb[0], [fn] + dcb[1], flags | dcb[2]))
        for c in sorted(tails.get(fn, ())):
            d, dcb = depth(c)
            best = better(best, (d[0], [fn] + d[1], flags | d[2]))
            if dcb:
                best_cb = better(best_cb, (dcb[0], [fn] + dcb[1], flags | dcb[2]))
        onstack.discard(fn)
        memo[fn] = (best, best_cb)
        return memo[fn]

    worst, worst_cb = None, None
    for e in a.entry:
        if e not in calls:
            print("stack_walk: entry %s not in the disassembly" % e, file=sys.stderr)
            return 1
        d, dcb = depth(e)
        worst = better(worst, d)
        worst_cb = better(worst_cb, dcb) if dcb else worst_cb
    if worst is None:
        print("stack_walk: no entry functions given", file=sys.stderr)
        return 1
    for w in (worst, worst_cb):
        if w is None:
            print("0 - (none)")
        else:
            print("%d %s %s" % (w[0], "".join(sorted(w[2])) or "-", ">".join(w[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""check_manual.py - keeps the manual (docs/manual/*.md) true.

Three checks, chosen with --only:
  code      every ```c block is compiled against the core and backend headers
            (```cpp blocks with a C++ compiler and arduino/stubs, not linked);
            blocks marked <!-- run --> are linked and run, and their output is
            compared with a following ```output block.
  commands  every ```sh block and every `$ ` line of a ```console block is run
            with bash from a temporary copy of the repository (its folders are
            symlinked, `build` points at the build directory), and its output
            is compared where the manual shows it.
  links     every Markdown link and image in the manual resolves: files exist,
            #anchors name a heading of the target page.

Markers are HTML comments on the lines just before a fence (blank lines may
separate them); docs/manual/README.md ("How the manual is tested") documents
them: fragment, fragment: top, run, skip: REASON, cflags: FLAGS,
file: NAME (also saved as NAME, for later blocks to #include), no-run: REASON,
exit: N.

Expected output: lines are compared one for one after stripping trailing
blanks; `...` inside a line matches any text, and a line that is only `...`
matches any number of lines (none included).

--update rewrites every expected output that differs (```output blocks and
the lines under a `$ ` command) with what the command printed now, keeping
`...` elisions where they still match; `ninja -C BUILD update-docs` runs it
on the manual and the README together with the figures. Review the diff.

Every error names the page and line. Exit status 0 when all pass, 1 otherwise,
2 for a usage error.
"""
import difflib
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r'^(\s*)(```+|~~~+)\s*([A-Za-z0-9_+-]*)\s*$')
MARKER = re.compile(r'^\s*<!--\s*(.*?)\s*-->\s*$')
KNOWN = ('fragment', 'run', 'skip', 'cflags', 'no-run', 'exit', 'file')


class Block:
    def __init__(self, page, line, lang, text, markers):
        self.page, self.line, self.lang, self.text = page, line, lang, text
        self.markers = markers  # list of (key, value)
        self.output = None      # the ```output block that follows, if any

    def where(self):
        return '%s:%d' % (self.page, self.line)

    def marker(self, key):
        for k, v in self.markers:
            if k == key:
                return v
        return None


def parse_page(path, rel, errors):
    """Fenced blocks of one page, with their markers and output blocks."""
    lines = open(path, encoding='utf-8').read().split('\n')
    blocks, pending, i = [], [], 0
    last = None          # the last block, for attaching ```output
    gap_ok = False       # only blank lines since the last block closed
    while i < len(lines):
        ln = lines[i]
        m = FENCE.match(ln)
        mk = MARKER.match(ln)
        if mk:
            body = mk.group(1)
            key, _, val = body.partition(':')
            key = key.strip()
            if key in KNOWN:
                pending.append((key, val.strip()))
            i += 1
            gap_ok = False
            continue
        if not m:
            if ln.strip():
                pending = []
                gap_ok = False
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        start = i + 1
        j = start
        while j < len(lines) and not (lines[j].strip().startswith(fence[:3]) and
                                      lines[j].strip().strip(fence[0]) == ''):
            j += 1
        if j >= len(lines):
            errors.append('%s:%d: code fence never closed' % (rel, i + 1))
            break
        text = '\n'.join(l[len(indent):] if l.startswith(indent) else l
                         for l in lines[start:j]) + '\n'
        b = Block(rel, i + 1, lang, text, pending)
        if lang == 'output':
            # Prose may separate them, but no other block may.
            if last is not None and last.lang in ('c', 'sh') and last.output is None:
                last.output = b
            else:
                errors.append('%s:%d: ```output block does not follow a ```sh or '
                              '<!-- run --> ```c block' % (rel, i + 1))
        else:
            blocks.append(b)
            last = b
        for k, _ in pending:
            if lang not in ('c', 'sh', 'console'):
                errors.append('%s:%d: marker <!-- %s --> before a ```%s block' %
                              (rel, i + 1, k, lang or 'plain'))
        pending = []
        gap_ok = True
        i = j + 1
    return blocks


def match_output(expected, actual):
    """None when actual matches expected, else a message."""
    exp = [l.rstrip() for l in expected.rstrip('\n').split('\n')]
    act = [l.rstrip() for l in actual.rstrip('\n').split('\n')]
    if actual.strip() == '':
        act = []

    def line_re(e):
        return re.compile('^' + '.*'.join(re.escape(p) for p in e.split('...')) + '$')

    pats = [None if e.strip() == '...' else line_re(e) for e in exp]
    memo = {}

    def go(pi, ai):
        key = (pi, ai)
        if key in memo:
            return memo[key]
        if pi == len(pats):
            r = ai == len(act)
        elif pats[pi] is None:
            r = any(go(pi + 1, k) for k in range(ai, len(act) + 1))
        else:
            r = ai < len(act) and bool(pats[pi].match(act[ai])) and go(pi + 1, ai + 1)
        memo[key] = r
        return r

    sys.setrecursionlimit(10000 + 4 * (len(pats) + len(act)))
    if go(0, 0):
        return None
    # Point at the first expected line that is found nowhere, for the message.
    for e, p in zip(exp, pats):
        if p is not None and not any(p.match(a) for a in act):
            return 'expected line not found: %r' % e
    return 'output lines differ in order or number'


UPDATES = []  # (page, first line (1-based), line count, new lines) for --update


def updated_output(expected, actual):
    """The expected text rewritten to actual output, keeping the elisions:
    a line that is only `...` stays between the parts around it, a line
    with `...` inside stays where it still matches its actual line."""
    exp = [l.rstrip() for l in expected.rstrip('\n').split('\n')]
    act = [l.rstrip() for l in actual.rstrip('\n').split('\n')]
    if actual.strip() == '':
        act = []
    segs, cur = [], []
    for e in exp:
        if e.strip() == '...':
            segs.append(cur)
            cur = []
        else:
            cur.append(e)
    segs.append(cur)

    def fill(seg, lines):
        out = []
        for k, a in enumerate(lines):
            e = seg[k] if k < len(seg) else None
            if e is not None and '...' in e and \
                    re.match('^' + '.*'.join(re.escape(p) for p in e.split('...')) + '$', a):
                out.append(e)
            else:
                out.append(a)
        return out

    if len(segs) == 1:
        return '\n'.join(fill(segs[0], act)) + '\n'
    head, tail = segs[0], segs[-1]
    out = fill(head, act[:len(head)])
    pos = len(head)
    end = len(act) - len(tail)
    for seg in segs[1:-1]:
        out.append('...')
        if not seg:
            continue
        # The middle part goes where its first line fits best.
        best, at = -1.0, pos
        for k in range(pos, max(pos, end - len(seg)) + 1):
            r = difflib.SequenceMatcher(None, seg[0], act[k] if k < len(act) else '').ratio()
            if r > best:
                best, at = r, k
        out += fill(seg, act[at:at + len(seg)])
        pos = at + len(seg)
    out.append('...')
    out += fill(tail, act[max(pos, end):])
    return '\n'.join(out) + '\n'


def record_update(page, first, expected, actual):
    new = updated_output(expected, actual)
    n = len(expected.rstrip('\n').split('\n'))
    UPDATES.append((page, first, n, new.rstrip('\n').split('\n')))


def apply_updates(src):
    by_page = {}
    for page, first, n, new in UPDATES:
        by_page.setdefault(page, []).append((first, n, new))
    for page, edits in sorted(by_page.items()):
        path = os.path.join(src, page)
        lines = open(path, encoding='utf-8').read().split('\n')
        for first, n, new in sorted(edits, reverse=True):
            lines[first - 1:first - 1 + n] = new
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines))
        print('updated %s: %d output(s)' % (page, len(edits)))


def show(text, limit=40):
    ls = text.rstrip('\n').split('\n')
    out = '\n'.join('    | ' + l for l in ls[:limit])
    if len(ls) > limit:
        out += '\n    | ... (%d more lines)' % (len(ls) - limit)
    return out


# ---------------------------------------------------------------------------
PRELUDE = '''#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "vm.h"
#include "vm_ram.h"
#include "vm_ptr.h"
'''


def check_code(blocks, args, work):
    fails, compiled, ran, skipped, frags, cpp = [], 0, 0, 0, 0, 0
    incs = []
    for d in ['core', 'backends/ram', 'backends/bus', 'backends/platform', 'backends/sram', 'backends/sd',
              'backends/file', 'backends/serial', 'backends/fram', 'sim/trace']:
        incs += ['-I', os.path.join(args.src, d)]
    incs += ['-I', work]  # files saved by <!-- file: NAME --> blocks
    cc = args.cc
    cxx_incs = ['-I', os.path.join(args.src, 'arduino', 'stubs'),
                '-I', os.path.join(args.src, 'arduino')] + incs
    for n, b in enumerate(b for b in blocks if b.lang in ('c', 'cpp')):
        if b.marker('skip') is not None:
            skipped += 1
            print('skip %s: %s' % (b.where(), b.marker('skip')))
            continue
        if b.lang == 'cpp':
            # C++ (Arduino sketches, vm.hpp): compiled, not linked, against
            # the stand-in Arduino core in arduino/stubs.
            if not args.cxx:
                skipped += 1
                print('skip %s: no C++ compiler' % b.where())
                continue
            cfile = os.path.join(work, 'block%d.cpp' % n)
            with open(cfile, 'w') as f:
                f.write('#line %d "%s"\n' % (b.line + 1, b.page) + b.text)
            p = subprocess.run(args.cxx + ['-std=c++11', '-Wall', '-Wextra', '-Werror'] +
                               cxx_incs + ['-c', cfile, '-o', cfile + '.o'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            compiled += 1
            cpp += 1
            if p.returncode != 0:
                fails.append('%s: ```cpp block does not compile:\n%s' % (b.where(), show(p.stdout)))
            continue
        frag = b.marker('fragment')
        src = b.text
        name = b.marker('file')
        if name:
            if not re.match(r'^[A-Za-z0-9_.-]+$', name):
                fails.append('%s: bad <!-- file: %s --> name' % (b.where(), name))
                continue
            with open(os.path.join(work, name), 'w') as f:
                f.write(b.text)
        if frag is not None:
            frags += 1
            if frag == 'top':
                src = PRELUDE + '#line %d "%s"\n' % (b.line + 1, b.page) + b.text
            else:
                src = (PRELUDE + 'int manual_fragment(struct vm *vm);\n'
                       'int manual_fragment(struct vm *vm)\n{\n'
                       '#line %d "%s"\n' % (b.line + 1, b.page) + b.text +
                       '\n    (void)vm;\n    return 0;\n}\n')
        else:
            src = '#line %d "%s"\n' % (b.line + 1, b.page) + b.text
        cfile = os.path.join(work, 'block%d.c' % n)
        with open(cfile, 'w') as f:
            f.write(src)
        flags = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-D_POSIX_C_SOURCE=200809L']
        if frag is not None:
            flags += ['-Wno-unused-variable', '-Wno-unused-function',
                      '-Wno-unused-but-set-variable']
        extra = (b.marker('cflags') or '').split()
        run = b.marker('run') is not None
        exe = os.path.join(work, 'block%d' % n)
        if run:
            # Runnable examples must be clean under ASan and UBSan too.
            flags += args.sanitize
            cmd = (cc + flags + extra + incs + [cfile, '-o', exe, '-Wl,--start-group'] +
                   args.lib + ['-Wl,--end-group', '-lm'])
        else:
            cmd = cc + flags + extra + incs + ['-c', cfile, '-o', exe + '.o']
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        compiled += 1
        if p.returncode != 0:
            fails.append('%s: ```c block does not compile:\n%s' % (b.where(), show(p.stdout)))
            continue
        if not run:
            if b.output is not None:
                fails.append('%s: ```output after a block not marked <!-- run -->' % b.where())
            continue
        ran += 1
        try:
            env = dict(os.environ)
            env['UBSAN_OPTIONS'] = 'print_stacktrace=1:halt_on_error=1'
            p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, timeout=30, cwd=work, env=env)
        except subprocess.TimeoutExpired:
            fails.append('%s: program ran over 30 s' % b.where())
            continue
        want = int(b.marker('exit') or 0)
        if p.returncode != want:
            fails.append('%s: program exited %d, expected %d:\n%s' %
                         (b.where(), p.returncode, want, show(p.stdout)))
            continue
        if b.output is not None:
            msg = match_output(b.output.text, p.stdout)
            if msg and args.update:
                record_update(b.page, b.output.line + 1, b.output.text, p.stdout)
            elif msg:
                fails.append('%s: output differs from the ```output block at line %d: %s\n'
                             'actual output:\n%s' % (b.where(), b.output.line, msg,
                                                    show(p.stdout)))
    print('code blocks: %d compiled (%d C++, %d fragments), %d linked and run, %d skipped' %
          (compiled, cpp, frags, ran, skipped))
    return fails


# ---------------------------------------------------------------------------
def make_tree(args, work):
    """A temporary copy of the repository: folders symlinked, build -> builddir."""
    root = os.path.join(work, 'repo')
    os.mkdir(root)
    for name in os.listdir(args.src):
        if name.startswith('.') or name.startswith('build') or name == 'out':
            continue
        os.symlink(os.path.join(args.src, name), os.path.join(root, name))
    os.symlink(os.path.abspath(args.build), os.path.join(root, 'build'))
    return root


def console_commands(b):
    """(command, expected output or None, line) from a ```console block."""
    out, cur, exp = [], None, []
    for k, l in enumerate(b.text.rstrip('\n').split('\n')):
        if l.startswith('$ '):
            if cur is not None:
                out.append((cur[0], '\n'.join(exp) + '\n' if exp else None, cur[1]))
            cur, exp = (l[2:], b.line + 1 + k), []
        elif cur is not None:
            exp.append(l)
    if cur is not None:
        out.append((cur[0], '\n'.join(exp) + '\n' if exp else None, cur[1]))
    return out


def check_commands(blocks, args, work):
    fails, ran, checked, skipped = [], 0, 0, 0
    root = make_tree(args, work)
    env = dict(os.environ)
    env['LC_ALL'] = 'C'
    env['SDL_VIDEODRIVER'] = 'offscreen'
    env['SDL_AUDIODRIVER'] = 'dummy'
    env['COLUMNS'] = '100'
    for b in blocks:
        if b.lang not in ('sh', 'console'):
            continue
        if b.lang == 'sh':
            items = [(b.text, b.output.text if b.output else None, b.line + 1)]
        else:
            items = console_commands(b)
            if not items:
                fails.append('%s: ```console block without a `$ ` command' % b.where())
        reason = b.marker('no-run')
        if reason is not None:
            skipped += len(items)
            print('no-run %s: %s' % (b.where(), reason))
            continue
        want = int(b.marker('exit') or 0)
        for cmd, expected, line in items:
            ran += 1
            # The first line of the expected output in the page.
            first = b.output.line + 1 if b.lang == 'sh' and b.output else line + 1
            try:
                p = subprocess.run(['bash', '-e', '-o', 'pipefail', '-c', cmd], cwd=root,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   universal_newlines=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                fails.append('%s:%d: command ran over %d s' % (b.page, line, args.timeout))
                continue
            if p.returncode != want:
                fails.append('%s:%d: command exited %d, expected %d:\n%s\noutput:\n%s' %
                             (b.page, line, p.returncode, want, show(cmd), show(p.stdout)) +
                             ('\n(--update: the output is updated; set the block\'s '
                              '<!-- exit: %d --> marker by hand)' % p.returncode
                              if args.update else ''))
                if not (args.update and expected is not None):
                    continue
            if expected is not None:
                checked += 1
                msg = match_output(expected, p.stdout)
                if msg and args.update:
                    record_update(b.page, first, expected, p.stdout)
                elif msg:
                    fails.append('%s:%d: output differs: %s\ncommand:\n%s\nactual output:\n%s' %
                                 (b.page, line, msg, show(cmd), show(p.stdout)))
    print('commands: %d run (%d outputs checked), %d not run' % (ran, checked, skipped))
    return fails


# ---------------------------------------------------------------------------
LINK = re.compile(r'!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')


def slug(heading):
    """GitHub's anchor for a heading."""
    h = re.sub(r'`|\*\*|__', '', heading.strip().lower())
    h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h)
    h = re.sub(r'[^\w\- ]', '', h)
    return h.replace(' ', '-')


def anchors(path):
    seen, out = {}, set()
    in_fence = False
    for l in open(path, encoding='utf-8'):
        if FENCE.match(l):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', l)
        if m:
            s = slug(m.group(1))
            k = seen.get(s, 0)
            seen[s] = k + 1
            out.add(s if k == 0 else '%s-%d' % (s, k))
        for a in re.findall(r'<a\s+(?:name|id)="([^"]+)"', l):
            out.add(a)
    return out


def check_links(pages, args):
    fails, n = [], 0
    src = os.path.realpath(args.src)
    mdir = os.path.join(src, 'docs', 'manual')
    linked_pages = set()
    for rel in pages:
        path = os.path.join(src, rel)
        in_fence = False
        for k, l in enumerate(open(path, encoding='utf-8'), 1):
            if FENCE.match(l):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            for target in LINK.findall(re.sub(r'`[^`]*`', '', l)):
                if re.match(r'^[a-z]+:', target):
                    continue  # http, https, mailto: not checked offline
                n += 1
                file_part, _, anchor = target.partition('#')
                dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) \
                    if file_part else path
                if not dest.startswith(src + os.sep) and dest != src:
                    fails.append('%s:%d: link leaves the repository: %s' % (rel, k, target))
                    continue
                if not os.path.exists(dest):
                    fails.append('%s:%d: link to a missing file: %s' % (rel, k, target))
                    continue
                if dest.startswith(mdir + os.sep):
                    linked_pages.add(os.path.relpath(dest, src))
                if anchor:
                    if not dest.endswith('.md'):
                        fails.append('%s:%d: anchor on a non-Markdown file: %s' % (rel, k, target))
                    elif anchor not in anchors(dest):
                        fails.append('%s:%d: no heading for anchor #%s in %s' %
                                     (rel, k, anchor, os.path.relpath(dest, src)))
    # Every page and every figure is reachable from the manual.
    for rel in pages:
        if not rel.endswith('README.md') and rel not in linked_pages:
            fails.append('%s: no manual page links to it' % rel)
    figdir = os.path.join(mdir, 'figures')
    manual = any(r.startswith(os.path.join('docs', 'manual') + os.sep) for r in pages)
    if manual and os.path.isdir(figdir):
        for f in sorted(os.listdir(figdir)):
            r = os.path.join('docs', 'manual', 'figures', f)
            if f.endswith(('.png', '.svg')) and r not in linked_pages:
                fails.append('%s: figure not shown on any manual page' % r)
    print('links: %d checked in %d pages' % (n, len(pages)))
    return fails


def main():
    ap = argparse.ArgumentParser(description='Check the manual\'s code, commands and links.')
    ap.add_argument('--src', required=True, help='source tree (repository root)')
    ap.add_argument('--build', required=True, help='build directory')
    ap.add_argument('--cc', action='append', default=[], help='compiler word (repeat)')
    ap.add_argument('--cxx', action='append', default=[], help='C++ compiler word (repeat)')
    ap.add_argument('--lib', action='append', default=[], help='static library to link runs with')
    ap.add_argument('--no-sanitize', dest='sanitize', action='store_const', const=[],
                    default=['-fsanitize=address,undefined', '-fno-omit-frame-pointer',
                             '-fno-sanitize-recover=undefined'],
                    help='build run blocks without ASan/UBSan')
    ap.add_argument('--only', choices=['code', 'commands', 'links'], action='append')
    ap.add_argument('--keep', action='store_true', help='keep the temporary folder')
    ap.add_argument('--update', action='store_true',
                    help='rewrite expected outputs that differ with the actual output')
    ap.add_argument('--timeout', type=int, default=60, help='seconds per command (default 60)')
    ap.add_argument('pages', nargs='*', help='pages (default: docs/manual/*.md)')
    args = ap.parse_args()
    args.src = os.path.realpath(args.src)
    args.build = os.path.realpath(args.build)
    if not args.cc:
        args.cc = ['cc']
    mdir = os.path.join(args.src, 'docs', 'manual')
    pages = args.pages or sorted(os.path.join('docs', 'manual', f)
                                 for f in os.listdir(mdir) if f.endswith('.md'))
    errors, blocks = [], []
    for rel in pages:
        blocks += parse_page(os.path.join(args.src, rel), rel, errors)
    only = args.only or ['code', 'commands', 'links']
    work = tempfile.mkdtemp(prefix='vm-manual-')
    try:
        if 'code' in only:
            errors += check_code(blocks, args, work)
        if 'commands' in only:
            errors += check_commands(blocks, args, work)
        if 'links' in only:
            errors += check_links(pages, args)
        if args.update:
            apply_updates(args.src)
    finally:
        if args.keep:
            print('kept', work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    for e in errors:
        print('FAIL ' + e)
    print('%d problem(s)' % len(errors))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())

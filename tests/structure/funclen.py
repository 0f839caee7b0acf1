#!/usr/bin/env python3
"""Lists C function definitions longer than a limit.

Usage: funclen.py LIMIT FILE...   prints "FILE:LINE: NAME N lines" for each
function whose body (opening brace to closing brace) spans more than LIMIT
lines, and exits 1 if there is any. A function definition is a top-level
'{' whose preceding text ends with ')' (optionally followed by attributes);
initializers ('= {') and struct/enum/union bodies are skipped.
"""
import re
import sys


def strip(src):
    """Blanks comments, strings and char literals, keeping newlines."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(c + re.sub(r'[^\n]', ' ', src[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(path):
    src = strip(open(path, encoding='utf-8', errors='replace').read())
    # drop preprocessor lines (a macro body is not a function)
    lines = src.split('\n')
    k = 0
    while k < len(lines):
        if lines[k].lstrip().startswith('#'):
            while lines[k].rstrip().endswith('\\') and k + 1 < len(lines):
                lines[k] = ''
                k += 1
            lines[k] = ''
        k += 1
    src = '\n'.join(lines)
    depth = 0
    start = None
    for m in re.finditer(r'[{}]', src):
        if m.group() == '{':
            if depth == 0:
                head = src[max(0, m.start() - 400):m.start()]
                if re.search(r'\)\s*(__attribute__\s*\(\(.*\)\)\s*)?$', head, re.S) and \
                        not re.search(r'=\s*$', head):
                    name = re.findall(r'(\w+)\s*\([^;{}]*\)\s*(?:__attribute__.*)?$', head, re.S)
                    start = (m.start(), name[-1] if name else '?')
                else:
                    start = None
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start:
                a = src.count('\n', 0, start[0]) + 1
                b = src.count('\n', 0, m.start()) + 1
                yield a, start[1], b - a + 1
                start = None


def main():
    limit = int(sys.argv[1])
    bad = 0
    for path in sys.argv[2:]:
        for line, name, n in functions(path):
            if n > limit:
                print(f'{path}:{line}: {name} {n} lines')
                bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

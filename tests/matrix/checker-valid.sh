#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stand-in for the kernel's scripts/checker-valid.sh, which Debian's 7.x
# headers packages leave out; without it C=2 silently checks nothing.
# tests/matrix/run puts it into a cached chroot's headers tree only where
# the file is missing.  Kbuild calls it as "checker-valid.sh CHECK FLAGS..."
# and runs the checker when it prints 1: the checker must exist and parse
# __typeof_unqual__, which 7.x headers use and sparse 0.6.4 cannot parse.
checker=$1
command -v "$checker" >/dev/null 2>&1 || { echo 0; exit 0; }
src=$(mktemp --suffix=.c) || { echo 0; exit 0; }
printf 'int xbng_unqual(const int *p);\nint xbng_unqual(const int *p)\n{\n\t__typeof_unqual__(*p) x = *p;\n\n\treturn x;\n}\n' >"$src"
# sparse exits 0 even on errors: judge by what it prints.
if "$@" "$src" 2>&1 | grep -q 'error'; then
	echo 0
else
	echo 1
fi
rm -f "$src"

#!/usr/bin/env bash
# Prints the path of the first Python 3.11 or newer on PATH, or nothing and
# exit status 1 when there is none. Used by the Makefile to create .venv.
set -u

for candidate in python3.11 python3 python3.12 python3.13 python3.14; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    # A pyenv shim exists even for a version that is not installed: run it.
    if "$path" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "$path"
        exit 0
    fi
done
exit 1

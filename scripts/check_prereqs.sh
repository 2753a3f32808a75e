#!/usr/bin/env bash
# Checks what `make run` and `make test` need from the operating system before
# anything is installed, and names the Debian package for each missing piece.
# Prints one line per problem and exits 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 1

problems=()
missing() { problems+=("$1 — install with: sudo apt-get install $2"); }

# Python 3.11 or newer, with venv and pip (Debian splits them into python3-venv).
python=$(scripts/find_python.sh) || python=""
# An existing .venv made with a suitable Python will do as well.
if [ -z "$python" ] && .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=.venv/bin/python
fi
if [ -z "$python" ]; then
    missing "Python 3.11 or newer was not found" "python3 python3-venv"
elif [ ! -x .venv/bin/python ] && ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    missing "Python's venv module is missing" "python3-venv"
fi

# Node.js 18 or newer and npm, for the front-end packages copied into static/vendor/.
node_version=$(node --version 2>/dev/null) || node_version=""
node_major=${node_version#v}
node_major=${node_major%%.*}
if ! [[ "$node_major" =~ ^[0-9]+$ ]] || [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null 2>&1; then
    missing "Node.js 18 or newer and npm were not found" "nodejs npm"
fi

# GNU gettext's msgfmt, for compiling the translations.
if ! command -v msgfmt >/dev/null 2>&1; then
    missing "msgfmt (GNU gettext) was not found" "gettext"
fi

# Pango, which WeasyPrint loads to render the PDF reports.
has_pango() {
    local ldconfig
    ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
    if [ -x "$ldconfig" ]; then
        "$ldconfig" -p | grep -q 'libpango-1\.0\.so' && "$ldconfig" -p | grep -q 'libpangoft2-1\.0\.so'
    elif [ -x .venv/bin/python ] && .venv/bin/python -c 'import weasyprint' 2>/dev/null; then
        return 0
    else
        return 1
    fi
}
if ! has_pango; then
    missing "Pango (needed by WeasyPrint for PDF reports) was not found" "libpango-1.0-0 libpangoft2-1.0-0"
fi

if [ ${#problems[@]} -gt 0 ]; then
    printf 'Missing prerequisite: %s\n' "${problems[@]}" >&2
    exit 1
fi

# Browser tests are optional: say so once instead of failing.
if [ "${1:-}" = "--tests" ] && [ ! -x /usr/bin/chromium ]; then
    echo "Note: /usr/bin/chromium not found, so the browser tests will be skipped (sudo apt-get install chromium)."
fi
exit 0

#!/usr/bin/env bash
# Print the path of a Python >= 3.12 that really runs (pyenv shims can exist and still fail).
# Order: $PYTHON if given; 3.12 first because requirements.lock was made and measured on it,
# then 3.13, then any newer 3.x; on PATH first, then pyenv's installed versions.
set -u

works() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
    if works "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
    echo "PYTHON=$PYTHON does not run as Python 3.12 or newer." >&2
    exit 1
fi

for name in python3.12 python3.13 python3.14 python3; do
    if command -v "$name" >/dev/null 2>&1 && works "$name"; then
        "$name" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done

pyenv_root="$(pyenv root 2>/dev/null || true)"
[ -n "$pyenv_root" ] || pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.|$)' | sort -V); do
        prefix="$(pyenv prefix "$version" 2>/dev/null || true)"
        if [ -n "$prefix" ] && works "$prefix/bin/python3"; then
            echo "$prefix/bin/python3"
            exit 0
        fi
    done
fi
for candidate in "$pyenv_root"/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    if [ -x "$candidate" ] && works "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

echo "No Python 3.12 or newer found (tried python3.12, python3.13, python3, pyenv versions)." >&2
echo "Install one (e.g. 'pyenv install 3.12') or name it: make install PYTHON=/path/to/python3.12" >&2
exit 1

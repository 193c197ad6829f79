#!/usr/bin/env bash
# Installs everything the project needs into .venv/ (and Debian packages when run as root).
# Idempotent and quick when nothing changed: a stamp records what was installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# Debian packages: the fonts of the generated test pages (OCR-B for the MRZ, DejaVu for the
# visual zone; the generator picks among the faces present, so all must be there for the
# same seed to give the same page on every machine).
DEB_PACKAGES=(fonts-ocr-b fonts-dejavu-core fonts-dejavu-extra)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
    else
        echo "bootstrap: missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]});" \
             "the generated test pages need them" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv with $("$PYTHON" --version)" >&2
    "$PYTHON" -m venv .venv
fi

# Reinstall only when the dependency declarations change.
stamp=.venv/.bootstrap-stamp
want=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: installing Python packages into .venv (first run takes a few minutes)" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[aws,dev]"
    # Only the ONNX models of rapidocr are used; --no-deps keeps OpenCV out.
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "rapidocr==3.10.0"
    echo "$want" > "$stamp"
fi

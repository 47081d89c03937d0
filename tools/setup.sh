#!/usr/bin/env bash
# Set up everything the build and the tests need, once: system libraries
# (Debian packages), then a virtualenv with the pinned Python packages.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# Pango (WeasyPrint's text layout), HarfBuzz's subsetter (fast font embedding), fontconfig;
# Chromium for the browser tests of the proof (Playwright drives Debian's build: a browser
# downloaded by Playwright itself cannot be fetched here); qpdf, whose --check the tests run
# on every PDF; MuPDF, Ghostscript and Poppler, which the tests read every PDF with as other
# readers and print RIPs do; Noto CJK, whose full Simplified Chinese faces fonts/make_fonts.py
# takes; the FOGRA39 characterisation data and ArgyllCMS, for the press PDF's CMYK profile.
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig chromium qpdf \
           mupdf-tools ghostscript poppler-utils fonts-noto-cjk icc-profiles-free argyll; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed 2>/dev/null; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  cp requirements.lock .venv/.installed
fi
# The full Chinese faces, from the fonts-noto-cjk installed above (about 4 s, once).
.venv/bin/python fonts/make_fonts.py
# press's own modules compiled once, as pip does for an installed package: a build run with
# PYTHONDONTWRITEBYTECODE set (or from a read-only checkout) would otherwise compile them in
# every process of every build (about 0.1 CPU-s of a cold build, main process and workers).
.venv/bin/python -m compileall -q press

#!/bin/sh
# The press PDF's output intent: a CMYK printer profile for FOGRA39 (ISO 12647-2:2004/Amd 1,
# offset on coated paper), made from Fogra's characterisation data as Debian ships it
# (icc-profiles-free: FOGRA39L.ti3, Zlib licence) with ArgyllCMS's colprof (Debian argyll).
# The result is committed (profiles/FOGRA39L_coated.icc), so a build needs neither package;
# run this again only to remake it. Made with ArgyllCMS 2.3.1 (Debian 2.3.1+repack-1.1).
#
#   -qm        medium quality tables (avg 0.16 dE, peak 0.72 dE against the data; -qh gains little)
#   -nc        the measurement data stays out of the profile (smaller file)
#   -kr        black generation: a ramp of K from paper white to full black. Text does not
#              depend on it: press/prepress.py puts black and grey text on K alone.
#   -l330      total area coverage at most 330 %, FOGRA39's limit
#   -L100      black may reach 100 %
#   -S sRGB    perceptual and saturation tables mapped from the sRGB gamut (the pages' RGB)
#   -cmt -dpp  viewing conditions: a monitor's source, a practical reflection print
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/FOGRA39L.ti3"
colprof -v -qm -nc -kr -l330 -L100 -S /usr/share/color/icc/sRGB.icc -cmt -dpp \
  -D "Coated FOGRA39 (ISO 12647-2:2004/Amd 1), ArgyllCMS from FOGRA39L.ti3" \
  -C "No copyright. Made from FOGRA39L.ti3 (Fogra data, icc-profiles-free, Zlib)" \
  "$work/FOGRA39L"
cp "$work/FOGRA39L.icc" "$here/profiles/FOGRA39L_coated.icc"
echo "wrote $here/profiles/FOGRA39L_coated.icc"

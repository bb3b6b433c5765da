#!/bin/sh
# Copies the fonts of text layers (src/plan/text/fonts, see its NOTICE) from Debian's packages:
#   apt-get install fonts-liberation2 fonts-dejavu-core
set -eu
dir="$(dirname "$0")/../src/plan/text/fonts"
for family in Sans Serif Mono; do
  for style in Regular Bold Italic; do cp "/usr/share/fonts/truetype/liberation2/Liberation$family-$style.ttf" "$dir/"; done
done
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$dir/"
cp /usr/share/doc/fonts-liberation2/copyright "$dir/LICENSE-Liberation"
cp /usr/share/doc/fonts-dejavu-core/copyright "$dir/LICENSE-DejaVu"
dpkg-query -W fonts-liberation2 fonts-dejavu-core

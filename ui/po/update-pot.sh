#!/usr/bin/env bash
# Regenerates ui/po/intake-kiosk.pot from the sources and merges it into az.po, ru.po, en.po.
# Translatable text: tr("…"), trf("…"), tr_code lists' labels and core's IK_N_("…") msgids.
set -euo pipefail
cd "$(dirname "$0")/../.."
xgettext --from-code=UTF-8 --language=C++ --keyword=tr --keyword=trf --keyword=tr2 --keyword=IK_N_ \
  --package-name=intake-kiosk --msgid-bugs-address=none --no-location --sort-output \
  -o ui/po/intake-kiosk.pot core/*.cpp core/*.hpp ui/*.cpp ui/screens/*.cpp firmware-app/*.cpp
for lang in az ru en; do
  if [ -f "ui/po/$lang.po" ]; then
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --sort-output "ui/po/$lang.po" ui/po/intake-kiosk.pot
  else
    msginit --no-translator --locale="$lang" -i ui/po/intake-kiosk.pot -o "ui/po/$lang.po"
  fi
done
# English: the msgid is the text.
msgen --sort-output ui/po/en.po -o ui/po/en.po
sed -i "s/charset=ASCII/charset=UTF-8/" ui/po/*.po ui/po/intake-kiosk.pot

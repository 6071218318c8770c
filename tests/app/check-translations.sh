#!/bin/sh
# check-translations.sh SOURCE_ROOT: every string of the app (src/app,
# resources/app and the app's desktop, metainfo and schema files, as listed
# in po/POTFILES.in) has a Russian translation in po/ru.po, none fuzzy, and
# ru.po passes msgfmt --check. Russian is the supervisors' language.
set -eu
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top"
grep -E '^(src/app/|resources/app/|data/io\.github\.beltwatch)' po/POTFILES.in > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments=Translators \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --files-from="$tmp/files" -o "$tmp/app.pot"
msgfmt --check -o /dev/null po/ru.po
msgmerge --quiet --no-fuzzy-matching po/ru.po "$tmp/app.pot" -o "$tmp/merged.po"
# keep only the app's messages, then count what lacks a translation
msgattrib --untranslated --no-obsolete "$tmp/merged.po" -o "$tmp/untranslated.po" 2>/dev/null || true
msgattrib --only-fuzzy --no-obsolete "$tmp/merged.po" -o "$tmp/fuzzy.po" 2>/dev/null || true
total=$(grep -c '^msgid ' "$tmp/app.pot")
untranslated=$(grep -c '^msgid ' "$tmp/untranslated.po" 2>/dev/null || true)
fuzzy=$(grep -c '^msgid ' "$tmp/fuzzy.po" 2>/dev/null || true)
untranslated=${untranslated:-0}; fuzzy=${fuzzy:-0}
echo "app messages: $((total - 1)), untranslated: $untranslated, fuzzy: $fuzzy"
if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
  cat "$tmp/untranslated.po" "$tmp/fuzzy.po" 2>/dev/null | grep -E '^msg(ctxt|id)' | head -40
  exit 1
fi

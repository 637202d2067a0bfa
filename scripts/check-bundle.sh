#!/usr/bin/env bash
# Build the one-folder PyInstaller bundle (`make package`) and run it the way an officer would:
# copied out of the source tree, started from another directory, with a fresh RSDESK_HOME.
# Usage: scripts/check-bundle.sh [--no-build]   (--no-build checks the existing dist/rsdesk)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ "${1:-}" != "--no-build" ]]; then
    start=$(date +%s)
    make package >build/package.log 2>&1 || { tail -40 build/package.log; exit 1; }
    echo "bundle built in $(( $(date +%s) - start )) s"
fi
[[ -x dist/rsdesk/rsdesk ]] || { echo "no bundle at dist/rsdesk: run make package" >&2; exit 1; }
echo "bundle size: $(du -sh dist/rsdesk | cut -f1)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -a dist/rsdesk "$WORK/app"
mkdir -p "$WORK/elsewhere" "$WORK/home"
cd "$WORK/elsewhere"
export RSDESK_HOME="$WORK/home" QT_QPA_PLATFORM=offscreen
unset RSDESK_DATABASE PYTHONPATH
APP="$WORK/app/rsdesk"
INTERNAL="$WORK/app/_internal"

# Everything the app reads at run time is inside the bundle.
for path in resources/fonts resources/questionbank resources/rules rsdesk/db/migrations docs/user-guide.md \
    PySide6/Qt/plugins/platforms/libqoffscreen.so PySide6/Qt/plugins/platforms/libqxcb.so; do
    [[ -e "$INTERNAL/$path" ]] || { echo "missing from the bundle: $path" >&2; exit 1; }
done
ls "$INTERNAL"/resources/fonts/*.ttf >/dev/null

step() {
    echo "+ rsdesk $*"
    "$APP" "$@" >"$WORK/out.txt" 2>&1 || { cat "$WORK/out.txt"; echo "FAILED: rsdesk $*" >&2; exit 1; }
}
step --version
grep -q "$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")" "$WORK/out.txt"
step db upgrade
step demo --size 200
step report annual --out annual.pdf
step export xlsx audit.xlsx
step appraisal questions
step screenshots shots
# SQLCipher travels in the bundle: an encrypted copy, opened again with its passphrase.
export RSDESK_PASSPHRASE="bundle check"
step db encrypt protected.sqlite3
[[ "$(head -c 15 protected.sqlite3)" != "SQLite format 3" ]] || { echo "copy not encrypted" >&2; exit 1; }
step --db protected.sqlite3 audit verify
unset RSDESK_PASSPHRASE
[[ -s annual.pdf && -s audit.xlsx ]] || { echo "report or workbook not written" >&2; exit 1; }
[[ "$(head -c 4 annual.pdf)" == "%PDF" ]] || { echo "annual.pdf is not a PDF" >&2; exit 1; }
ls shots/*.png >/dev/null || { echo "no screenshots written" >&2; exit 1; }
# Nothing was written next to the source checkout or read from it.
[[ ! -e "$ROOT/annual.pdf" ]]
echo "bundle OK"

#!/usr/bin/env bash
# Make the database fixture of a release: tests/fixtures/databases/rsdesk-<version>.sqlite3 (a
# `rsdesk demo --size 100` database) and its manifest rsdesk-<version>.json (schema revision and
# rows per table, as that release wrote them). tests/migrations/test_upgrade_from_release.py opens
# every fixture with the current code and checks that every record is kept.
#
# Run it from the release's tagged checkout (or with its installed rsdesk: RSDESK=/path/to/rsdesk),
# once per release, and commit both files. Never regenerate an older release's fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
RSDESK=${RSDESK:-.venv/bin/rsdesk}
PYTHON=${PYTHON:-.venv/bin/python}
version=$("$RSDESK" --version | awk '{print $2}')
out=tests/fixtures/databases
mkdir -p "$out"
target="$out/rsdesk-$version.sqlite3"
if [[ -e "$target" && "${1:-}" != "--force" ]]; then
    echo "$target exists: a released fixture is never remade (--force to replace it)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RSDESK_HOME="$work/home" QT_QPA_PLATFORM=offscreen
unset RSDESK_DATABASE
db="$work/rsdesk-$version.sqlite3"
"$RSDESK" --db "$db" demo --size 100 --seed 1 >/dev/null
"$RSDESK" --db "$db" audit verify >/dev/null
# One self-contained file: no WAL beside it, no free pages.
"$PYTHON" - "$db" "$version" "$out/rsdesk-$version.json" <<'PY'
import json, sqlite3, sys
path, version, manifest = sys.argv[1:]
con = sqlite3.connect(path)
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.execute("PRAGMA journal_mode=DELETE")
con.execute("VACUUM")
tables = [r[0] for r in con.execute(
    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
con.close()
with open(manifest, "w") as handle:
    json.dump({"version": version, "revision": revision, "rows": counts}, handle, indent=2)
    handle.write("\n")
PY
cp "$db" "$target"
echo "wrote $target ($(du -h "$target" | cut -f1)) and $out/rsdesk-$version.json"

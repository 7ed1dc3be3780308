#!/usr/bin/env bash
# Vendor the browser assets of the GraphiQL playground and the graph explorer
# (/explore, Cytoscape.js) into graph/static/vendor/.
#
# Run from the repository root (`make setup` does). The assets come from the
# npm registry via web/package-lock.json; at run time the service serves them
# itself, so the playground works on networks with no CDN.
#
# Idempotent: graph/static/vendor/.stamp holds the sha256 of
# web/package-lock.json; when it matches and every vendored file is present,
# the script exits at once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"
LOCK="$WEB/package-lock.json"
VENDOR="$ROOT/graph/static/vendor"
STAMP="$VENDOR/.stamp"

# source (relative to web/node_modules) -> stable name under graph/static/vendor
# graphiql.min.css embeds its fonts as data: URIs, so no font files are needed.
FILES=(
  "react/umd/react.production.min.js:react.min.js"
  "react-dom/umd/react-dom.production.min.js:react-dom.min.js"
  "graphiql/graphiql.min.js:graphiql.min.js"
  "graphiql/graphiql.min.css:graphiql.min.css"
  "cytoscape/dist/cytoscape.min.js:cytoscape.min.js"
)

die() {
  echo "vendor_web.sh: ERROR: $*" >&2
  exit 1
}

[[ -f "$LOCK" ]] || die "$LOCK is missing"

want_stamp() {
  sha256sum "$LOCK" | cut -d' ' -f1
}

up_to_date() {
  [[ -f "$STAMP" ]] || return 1
  [[ "$(cat "$STAMP")" == "$(want_stamp)" ]] || return 1
  local entry
  for entry in "${FILES[@]}"; do
    [[ -s "$VENDOR/${entry#*:}" ]] || return 1
  done
}

if up_to_date; then
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js 20+ (with npm) and rerun"

echo "vendor_web.sh: installing web assets (npm ci --prefix web) ..."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! npm ci --no-audit --no-fund --loglevel=error --prefix "$WEB" >"$log" 2>&1; then
  cat "$log" >&2
  die "'npm ci --prefix web' failed (see npm output above); the web assets were NOT vendored"
fi

rm -f "$STAMP"
mkdir -p "$VENDOR"
# Drop anything left over from an older layout so the folder holds exactly FILES.
find "$VENDOR" -mindepth 1 -maxdepth 1 ! -name .stamp -exec rm -rf {} +

for entry in "${FILES[@]}"; do
  src="$WEB/node_modules/${entry%%:*}"
  dst="$VENDOR/${entry#*:}"
  [[ -s "$src" ]] || die "expected $src after npm ci, but it is missing or empty (did a version in web/package.json change layout?)"
  cp "$src" "$dst.tmp"
  mv "$dst.tmp" "$dst"
done

# The page must never reach outside the service: refuse a stylesheet that
# references anything but data: URIs or same-folder files.
if grep -oE 'url\([^)]*\)' "$VENDOR/graphiql.min.css" | grep -vE '^url\((["'\'']?)data:' | grep -E '//' >&2; then
  die "graphiql.min.css references external URLs (listed above); vendor them too"
fi

want_stamp >"$STAMP"
echo "vendor_web.sh: vendored ${#FILES[@]} files into ${VENDOR#"$ROOT"/}"

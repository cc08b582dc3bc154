#!/usr/bin/env bash
# Refreshes the chart library embedded in the backtest report (src/RollbackKit.Cli/Report/vendor/) from the npm
# registry: uPlot's minified browser build, its stylesheet and its licence. The report is one self-contained HTML
# file, so these files are embedded into the rollbackkit tool as resources and inlined into every report.
# Usage: bash eng/update-report-vendor.sh [version]   (default: the version recorded in vendor/VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/RollbackKit.Cli/Report/vendor
VERSION=${1:-$(cat "$VENDOR/VERSION" 2>/dev/null || echo 1.6.32)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "uplot@$VERSION" --silent >/dev/null && tar -xzf ./*.tgz)
mkdir -p "$VENDOR"
cp "$tmp/package/dist/uPlot.iife.min.js" "$VENDOR/uPlot.iife.min.js"
cp "$tmp/package/dist/uPlot.min.css" "$VENDOR/uPlot.min.css"
cp "$tmp/package/LICENSE" "$VENDOR/LICENSE"
echo "$VERSION" > "$VENDOR/VERSION"
echo "uPlot $VERSION vendored into $VENDOR"

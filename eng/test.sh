#!/usr/bin/env bash
# Installs the test dependencies, builds everything (warnings are errors) and runs every test.
# Ends with one summary line over all test assemblies: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-test-deps.sh
export ROLLBACKKIT_HELM3="$(pwd)/.tools/helm3/helm"
export ROLLBACKKIT_HELM4="$(pwd)/.tools/helm4/helm"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

dotnet build RollbackKit.sln -c Release -nologo -clp:ErrorsOnly
status=0
dotnet test RollbackKit.sln -c Release --no-build -nologo --logger "console;verbosity=normal" \
  -- RunConfiguration.TestSessionTimeout=1500000 2>&1 | tee "$log" || status=$?

# Each test assembly prints "Total tests: N", "Passed: N", "Failed: N", "Skipped: N"; add them up.
sum() { awk -v key="$1" '{ line = $0; sub(/^[ \t]+/, "", line) } index(line, key ": ") == 1 { n = substr(line, length(key) + 3); if (n ~ /^[0-9]+[ \t\r]*$/) s += n } END { print s + 0 }' "$log"; }
total=$(sum "Total tests")
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
# Name the failed tests just above the summary, so that the end of a long log says what to look at.
failures="$(grep -E '^[[:space:]]+Failed [A-Za-z_]' "$log" | sed -E 's/^[[:space:]]+//' | sort -u | head -n 50 || true)"
if [ -n "$failures" ]; then
  echo
  echo "Failed tests:"
  printf '%s\n' "$failures" | sed -E 's/^/  /'
fi
echo
echo "Test summary over all assemblies ($total tests):"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$total" -eq 0 ]; then
  exit 1
fi

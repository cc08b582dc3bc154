#!/usr/bin/env bash
# Installs the test dependencies, builds everything (warnings are errors) and runs every test.
# Ends with one summary line over all test assemblies: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-test-deps.sh
export ROLLBACKKIT_HELM3="$(pwd)/.tools/helm3/helm"
export ROLLBACKKIT_HELM4="$(pwd)/.tools/helm4/helm"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
results="$(pwd)/TestResults"
rm -rf "$results"

dotnet build RollbackKit.sln -c Release -nologo -clp:ErrorsOnly
status=0
dotnet test RollbackKit.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" \
  -- RunConfiguration.TestSessionTimeout=1500000 || status=$?

passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get executed)
  total=$((total + t)); passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
echo
echo "Test summary over all assemblies:"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$total" -eq 0 ]; then
  exit 1
fi

#!/usr/bin/env bash
# Records new public API in each package's PublicAPI.Unshipped.txt (and drops removed entries).
# Usage: eng/update-public-api.sh [src/Project ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then projects=(src/*/); fi
for p in "${projects[@]}"; do
  proj=$(ls "${p%/}"/*.csproj)
  dotnet format analyzers "$proj" --diagnostics RS0016 RS0017 --severity error >/dev/null 2>&1 || true
  echo "updated ${proj}"
done

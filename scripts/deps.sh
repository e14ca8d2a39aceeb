#!/usr/bin/env bash
# Installs the Debian packages the project needs that are not installed yet
# (apt-get, as root).  Does nothing when all of them are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(linux-source-6.12 qemu-system-x86 busybox-static flex bison bc
	libelf-dev libssl-dev cpio ccache sparse python3-ply python3-git
	xz-utils pciutils rsync gcc make git perl python3 patch)

declare -A installed=()
while read -r pkg status; do
	[ "$status" = ii ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]+x}" ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

echo "deps: installing ${missing[*]}"
[ "$(id -u)" = 0 ] || { echo "deps: run as root to install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get update -q >"$log" 2>&1; then
	cat "$log" >&2
	echo "deps: apt-get update failed" >&2
	exit 1
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
	cat "$log" >&2
	echo "deps: apt-get install failed" >&2
	exit 1
fi

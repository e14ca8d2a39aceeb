#!/usr/bin/env bash
# Installs the Debian packages the project needs that are not installed yet
# (apt-get, as root).  Does nothing when all of them are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

packages=("$base_package" qemu-system-x86 busybox-static flex bison bc
	libelf-dev libssl-dev cpio ccache sparse python3-ply python3-git
	xz-utils pciutils rsync gcc make git perl python3 patch
	qemu-system-ppc gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross)

declare -A installed=()
while read -r pkg status; do
	[ "$status" = ii ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]+x}" ] || missing+=("$p")
done
# A kernel source older than the one the series is rebased on is upgraded.
if [ -n "${installed[$base_package]+x}" ]; then
	v=$(dpkg-query -W -f='${Version}' "$base_package")
	if dpkg --compare-versions "$v" lt "$base_rebased"; then
		echo "deps: $base_package $v is older than $base_rebased, which the series is rebased on"
		missing+=("$base_package")
	fi
fi

# The pseries guest's shell: Debian's static busybox for ppc64el, unpacked
# into build/ (the package is downloaded, not installed).
bb=build/pseries-busybox/bin/busybox
get_ppc_busybox() {
	[ -x "$bb" ] && return 0
	dpkg --print-foreign-architectures | grep -qx ppc64el || {
		dpkg --add-architecture ppc64el
		apt-get update -q >"$log" 2>&1 || true
	}
	local tmp
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q busybox-static:ppc64el) >"$log" 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 || true
		  (cd "$tmp" && apt-get download -q busybox-static:ppc64el) >"$log" 2>&1; } || {
		cat "$log" >&2; echo "deps: cannot download busybox-static:ppc64el" >&2
		rm -rf "$tmp"; exit 1; }
	rm -rf build/pseries-busybox
	mkdir -p build/pseries-busybox/bin
	dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*_ppc64el.deb |
		tar -xO ./bin/busybox >"$bb"
	chmod 755 "$bb"
	rm -rf "$tmp"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ${#missing[@]} -eq 0 ]; then
	get_ppc_busybox
	exit 0
fi

echo "deps: installing ${missing[*]}"
[ "$(id -u)" = 0 ] || { echo "deps: run as root to install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
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
get_ppc_busybox

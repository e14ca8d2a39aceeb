#!/usr/bin/env bash
# Installs the Debian packages the project needs that are not installed yet
# (apt-get, as root).  Does nothing when all of them are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# Every base's kernel source package (bases/), with the version its series
# is rebased on.
declare -A base_pkgs=()
for b in "${all_bases[@]}"; do
	base_pkgs[$(base_field package "" "$b")]=$(base_field rebased "" "$b")
done
packages=("${!base_pkgs[@]}" qemu-system-x86 busybox-static flex bison bc
	libelf-dev libssl-dev cpio ccache sparse python3-ply python3-git
	xz-utils pciutils rsync gcc make git perl python3 patch
	qemu-system-ppc gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
	libcap-dev)

declare -A installed=()
while read -r pkg status; do
	[ "$status" = ii ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)

missing=()
for p in "${packages[@]}"; do
	[ -n "${installed[$p]+x}" ] || missing+=("$p")
done
# A kernel source older than the one the series is rebased on is upgraded.
for p in "${!base_pkgs[@]}"; do
	[ -n "${installed[$p]+x}" ] || continue
	v=$(dpkg-query -W -f='${Version}' "$p")
	if dpkg --compare-versions "$v" lt "${base_pkgs[$p]}"; then
		echo "deps: $p $v is older than ${base_pkgs[$p]}, which the series is rebased on"
		missing+=("$p")
	fi
done

# A base from a suite that the machine's sources do not name (bases/NAME:
# "suite"): a sources entry for that suite of the archive that the
# machine's own Debian sources use, and a pin that lets only the base's
# package come from it.  Written once; an existing entry is kept.
add_suites() {
	local b suite pkg uri list pin
	for b in "${all_bases[@]}"; do
		suite=$(base_field suite optional "$b")
		[ -n "$suite" ] || continue
		pkg=$(base_field package "" "$b")
		list=/etc/apt/sources.list.d/isolation-$suite.sources
		pin=/etc/apt/preferences.d/isolation-$suite
		[ -f "$list" ] && [ -f "$pin" ] && continue
		uri=$(debian_uri) || { echo "deps: no Debian archive in the machine's apt sources, for $suite" >&2; exit 1; }
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$uri" "$suite" >"$list"
		printf 'Package: *\nPin: release n=%s\nPin-Priority: -1\n\nPackage: %s\nPin: release n=%s\nPin-Priority: 500\n' \
			"$suite" "$pkg" "$suite" >"$pin"
		echo "deps: added $suite of $uri to apt's sources ($list), pinned to $pkg alone ($pin)"
	done
}
# debian_uri: the archive URI of the machine's Debian sources (the one that
# serves its own release, not the security archive).
debian_uri() {
	local codename u
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	u=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v c="$codename" '$1 == "deb" && $3 == c && $2 !~ /security/ { print $2; exit }')
	[ -n "$u" ] || u=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v c="$codename" '
		/^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) s = 1 }
		/^$/ { if (s && uri !~ /security/) { print uri; exit } uri = ""; s = 0 }
		END { if (s && uri !~ /security/) print uri }' | head -n 1)
	[ -n "$u" ] && echo "$u"
}

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
[ "$(id -u)" != 0 ] || add_suites
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

#!/usr/bin/env bash
# make check-base: does the series still assemble on the version of a
# base's package (BASE=NAME, default the primary; bases/NAME) that Debian's
# archive serves today?  Asks the archive (apt-get update), and when it
# serves another version than the one installed, downloads that one and
# assembles it into build/check-base/NAME/linux with scripts/assemble.sh;
# the base's own tree is not touched.  Fails when the
# series does not assemble there; says so when it needs more than git apply
# (rebase with make refresh) or when the archive has moved past the version
# the series is rebased on.  CHECK_BASE_VERSION=VERSION tries another
# version the archive has instead of its newest.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

[ "$(id -u)" = 0 ] || die "run as root: it runs apt-get update"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Another source or architecture that fails to update is no reason to stop.
apt-get update -q >"$log" 2>&1 ||
	echo "check-base: WARNING: apt-get update: $(grep -m1 '^E: ' "$log" || tail -n 1 "$log"); using the lists as they are"
cand=${CHECK_BASE_VERSION:-$(apt-cache policy "$base_package" | sed -n 's/^ *Candidate: //p')}
[ -n "$cand" ] && [ "$cand" != "(none)" ] || die "the archive serves no $base_package"
inst=$(dpkg-query -W -f='${Version}' "$base_package" 2>/dev/null || true)
echo "check-base: $base_package: the series is rebased on $base_rebased; ${CHECK_BASE_VERSION:+asked to try }the archive's: $cand; installed: ${inst:-none}"

if [ "$cand" = "$inst" ]; then
	scripts/assemble.sh
else
	dir=build/check-base/$base_name
	mkdir -p "$dir"
	tb=$dir/$base_package-$cand.tar.xz
	[ -f "$tb" ] || base_tarball "$cand" "$tb" || exit 1
	TREE=$dir/linux TARBALL=$top/$tb TARBALL_VERSION=$cand scripts/assemble.sh
	echo "check-base: to use $cand: apt-get install $base_package=$cand, then make tree"
fi
if [ "$cand" != "$base_rebased" ]; then
	echo "check-base: WARNING: the archive serves $base_package $cand, the series is rebased on $base_rebased: rebase it (make tree with $cand installed, make refresh BASE=$base_name)"
else
	echo "check-base: the series is rebased on what the archive serves"
fi

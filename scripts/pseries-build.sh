#!/usr/bin/env bash
# Cross-builds the ppc64le pseries guest kernel (tinyconfig +
# configs/pseries.config + configs/BASE/pseries.config) from the tree of
# the selected base (BASE=NAME, scripts/lib.sh) into build/pseries, and its
# initramfs build/pseries-initramfs.cpio.gz (another base than the primary:
# build/pseries-NAME, build/pseries-NAME-initramfs.cpio.gz): Debian's
# static busybox for ppc64el (scripts/deps.sh), the test scripts, the VFIO
# test program and lsisol, cross-built static.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh
src=${KSRC:-$top/$tree}
obj=$top/build/pseries$build_suffix
cfg=$top/build/pseries$build_suffix-cfg
jobs=${JOBS:-$(nproc)}
cross=powerpc64le-linux-gnu-
kmake=(make -C "$src" ARCH=powerpc CROSS_COMPILE=$cross "CC=ccache ${cross}gcc" -j"$jobs")
export KBUILD_BUILD_TIMESTAMP="2012-03-12" KBUILD_BUILD_USER=isolation KBUILD_BUILD_HOST=guest

# shellcheck source=guest-config.sh
. scripts/guest-config.sh
guest_config "$cfg" "$obj" configs/pseries.config configs/"$base_name"/pseries.config

"${kmake[@]}" -s O="$obj" olddefconfig
"${kmake[@]}" -s O="$obj" vmlinux
"${kmake[@]}" -s O="$obj" headers
echo "pseries kernel: $obj/vmlinux"

# Initramfs.  busybox cannot run here to list its applets: the init
# installs them at boot.
root=$top/build/pseries$build_suffix-initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,tests}
cp build/pseries-busybox/bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp tests/guest/init "$root/init"
"${cross}gcc" -static -O2 -Wall -Wextra -Werror -I"$obj/usr/include" \
	-o "$root/bin/vfio-spapr" tests/guest/vfio-spapr.c
cp tests/guest/*.sh "$root/tests/"
cp -r tests/guest/expect "$root/tests/"
chmod +x "$root/init" "$root"/tests/*.sh
mkdir -p "$top/build/pseries$build_suffix-tools"
make -s -C "$src/tools/isolation" OUTPUT="$top/build/pseries$build_suffix-tools/" \
	CROSS_COMPILE=$cross LDFLAGS=-static
cp "$top/build/pseries$build_suffix-tools/lsisol" "$root/bin/lsisol"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$root.cpio.gz"
echo "pseries initramfs: $root.cpio.gz"

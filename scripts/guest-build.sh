#!/usr/bin/env bash
# Builds the x86_64 guest kernel (tinyconfig + configs/guest.config +
# configs/BASE/guest.config) from the assembled tree of the selected base
# (BASE=NAME, scripts/lib.sh; KSRC=DIR another tree) into build/guest, and
# the guest initramfs build/initramfs.cpio.gz; for a base other than the
# primary, build/guest-NAME and build/initramfs-NAME.cpio.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh
src=${KSRC:-$top/$tree}
obj=$top/build/guest$build_suffix
cfg=$top/build/guest-cfg$build_suffix
jobs=${JOBS:-$(nproc)}
kmake=(make -C "$src" ARCH=x86_64 "CC=ccache gcc" -j"$jobs")
export KBUILD_BUILD_TIMESTAMP="2012-03-12" KBUILD_BUILD_USER=isolation KBUILD_BUILD_HOST=guest

# shellcheck source=guest-config.sh
. scripts/guest-config.sh
guest_config "$cfg" "$obj" configs/guest.config configs/"$base_name"/guest.config

"${kmake[@]}" -s O="$obj" olddefconfig
"${kmake[@]}" -s O="$obj" bzImage modules
echo "guest kernel: $obj/arch/x86/boot/bzImage"

# The kernel's UAPI headers, for the static VFIO test program.
"${kmake[@]}" -s O="$obj" headers

# Initramfs: static busybox, the test scripts and programs, the test module.
root=$top/build/initramfs$build_suffix
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules,tests}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp tests/guest/init "$root/init"
gcc -static -O2 -Wall -Wextra -Werror -I"$obj/usr/include" \
	-o "$root/bin/vfio-isolation" tests/guest/vfio-isolation.c
gcc -static -O2 -Wall -Wextra -Werror -I"$obj/usr/include" \
	-o "$root/bin/vfio-override" tests/guest/vfio-override.c
gcc -static -O2 -Wall -Wextra -Werror -pthread \
	-o "$root/bin/bind-race" tests/guest/bind-race.c
gcc -static -O2 -Wall -Wextra -Werror -I"$obj/usr/include" \
	-o "$root/bin/stress-vfio" tests/guest/stress-vfio.c
gcc -static -O2 -Wall -Wextra -Werror -I"$obj/usr/include" \
	-o "$root/bin/merge-bench" tests/guest/merge-bench.c
# iommufd's selftests, from a copy of their sources as they run against
# the base (tests/guest/iommufd-selftests-BASE.patch).
sel=$top/build/iommufd-selftests$build_suffix
rm -rf "$sel"
mkdir -p "$sel/tools/testing/selftests" "$sel/drivers/iommu/iommufd"
cp -r "$src/tools/testing/selftests/iommu" "$src/tools/testing/selftests/kselftest.h" \
	"$src/tools/testing/selftests/kselftest_harness.h" "$sel/tools/testing/selftests/"
cp "$src/drivers/iommu/iommufd/iommufd_test.h" "$sel/drivers/iommu/iommufd/"
patch -s -p1 -d "$sel" <tests/guest/iommufd-selftests-"$base_name".patch
for t in iommufd iommufd_fail_nth; do
	gcc -static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE -pthread \
		-I"$obj/usr/include" -I"$src/tools/include" -I"$src/tools/testing/selftests" \
		-o "$root/bin/$t" "$sel/tools/testing/selftests/iommu/$t.c" -lcap
done
cp tests/guest/*.sh "$root/tests/"
cp -r tests/guest/expect "$root/tests/"
chmod +x "$root/init" "$root"/tests/*.sh
find "$obj" -name '*.ko' -exec cp {} "$root/lib/modules/" \;
if [ -d "$src/tools/isolation" ]; then
	mkdir -p "$top/build/tools$build_suffix"
	make -s -C "$src/tools/isolation" OUTPUT="$top/build/tools$build_suffix/" LDFLAGS=-static
	cp "$top/build/tools$build_suffix/lsisol" "$root/bin/lsisol"
fi
# text_range OBJECT: the text of the kernel's OBJECT (a .o or a built-in.a)
# in vmlinux, as "START END FIRST-SYMBOL": the longest run of text
# symbols named as OBJECT's.  For the fault-injection stack filters of the
# guest tests, which check it against /proc/kallsyms.
text_range() {
	nm --defined-only "$obj/$1" 2>/dev/null | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u |
	awk '
	NR == FNR { n[$1] = 1; next }
	$3 == "_stext" { on = 1 }
	$3 == "_etext" { on = 0 }
	!on || $2 !~ /^[tT]$/ { next }
	($3 in n) { if (!len) { s = $1; sn = $3 } len++; next }
	len { if (len > best) { best = len; bs = s; be = $1; bn = sn } len = 0 }
	END { if (best) print bs, be, bn }' - "$obj/System.map"
}
# The ACPI interpreter, whose allocations the VFIO tests never fail
# (tests/guest/vfio.sh), and the PCI rules, whose allocations on hot-add
# tests/guest/groups.sh fails.
text_range drivers/acpi/built-in.a >"$root/tests/acpi-text"
text_range drivers/pci/isolation.o >"$root/tests/pci-isolation-text"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$root.cpio.gz"
echo "guest initramfs: $root.cpio.gz"

# Debian's QEMU, for the guest that runs it as a VFIO client
# (tests/guest/qemu-vfio.sh): the binary, the libraries it is linked with,
# its TCG module and qboot, in an archive of their own after the initramfs (the kernel
# unpacks one after the other), so that no other guest loads them.
qroot=$top/build/initramfs-qemu$build_suffix
q=$(command -v qemu-system-x86_64)
rm -rf "$qroot"
mkdir -p "$qroot/usr/bin" "$qroot/usr/share/qemu"
cp "$q" "$qroot/usr/bin/"
for lib in $(ldd "$q" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	mkdir -p "$qroot${lib%/*}"
	cp -L "$lib" "$qroot$lib"
done
cp /usr/share/qemu/qboot.rom /usr/share/qemu/kvmvapic.bin "$qroot/usr/share/qemu/"
# Debian builds TCG as a module.
m=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
mkdir -p "$qroot${m%/*}"
cp "$m" "$qroot$m"
(cd "$qroot" && find . | cpio -o -H newc --quiet | gzip -1) | cat "$root.cpio.gz" - > "$qroot.cpio.gz"
echo "guest initramfs with QEMU: $qroot.cpio.gz"

#!/usr/bin/env bash
# Boots the guest kernel in QEMU (q35, VT-d IOMMU, TCG) and runs a mode of
# the guest init: --show prints the groups, --check runs the guest tests.
# The serial console goes to build/logs/<name>.log and to stdout.
#   guest-run.sh --show|--check [--name NAME] [-- extra QEMU arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=""
name=""
while [ $# -gt 0 ]; do
	case "$1" in
	--show) mode=show ;;
	--check) mode=check ;;
	--name) name=$2; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 --show|--check [--name NAME] [-- qemu args]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$mode" ] || { echo "usage: $0 --show|--check" >&2; exit 2; }
name=${name:-$mode}

# The default topology: single-function and multifunction PCI slots on the
# root complex (pci-serial, driven by 8250_pci), besides q35's own devices.
default_devices=(
	-device pci-serial,addr=0x3
	-device pci-serial,addr=0x4.0,multifunction=on
	-device pci-serial,addr=0x4.1
)
[ $# -gt 0 ] || set -- "${default_devices[@]}"

mkdir -p build/logs
log=build/logs/$name.log
timeout --foreground -k 10 "${GUEST_TIMEOUT:-600}" \
	qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-bios /usr/share/qemu/qboot.rom \
	-machine q35 -device intel-iommu,intremap=on,caching-mode=on \
	-nodefaults -display none -serial stdio -no-reboot \
	-kernel build/guest/arch/x86/boot/bzImage \
	-initrd build/initramfs.cpio.gz \
	-append "console=ttyS0 intel_iommu=on panic=-1 oops=panic isotest=$mode" \
	"$@" </dev/null | tr -d '\r' | tee "$log" |
	if [ "$mode" = show ]; then sed -n '/^GROUP /,/^ISOTEST-DONE/p' | grep -v '^ISOTEST-DONE'; else cat >/dev/null; fi
grep -q '^ISOTEST-DONE' "$log" || { echo "guest did not finish, see $log" >&2; exit 1; }

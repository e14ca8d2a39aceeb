#!/usr/bin/env bash
# Boots the guest kernel in QEMU (q35 with a VT-d IOMMU, under TCG) and runs
# one mode of the guest init, with the console in build/logs/<name>.log:
#   --show   print the isolation groups (lsisol) and the kernel's iommu groups
#   --check  the driver-core tests with the test provider, VT-d off
#   --vtd    compare VT-d isolation groups with iommu groups, hotplug included
#   --vfio   VFIO as isolation manager (tests/guest/vfio-isolation.c)
#   --nodmar the machine without its VT-d IOMMU: no provider, no groups
#   guest-run.sh MODE [--name NAME] [--topology NAME] [-- extra QEMU arguments]
# Topologies are the functions of tests/topologies.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=""
name=""
topology=default
while [ $# -gt 0 ]; do
	case "$1" in
	--show|--check|--vtd|--vfio|--nodmar) mode=${1#--} ;;
	--name) name=$2; shift ;;
	--topology) topology=$2; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 --show|--check|--vtd|--vfio|--nodmar [--name NAME] [--topology NAME] [-- qemu args]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$mode" ] || { echo "usage: $0 --show|--check|--vtd|--vfio|--nodmar" >&2; exit 2; }
name=${name:-$mode}

# shellcheck source=../tests/topologies.sh
. tests/topologies.sh
declare -F "topology_$topology" >/dev/null || { echo "no topology $topology" >&2; exit 2; }
devices=()
append=""
"topology_$topology"

iommu=on
[ "$mode" = check ] && iommu=off
vtd=(-device intel-iommu,intremap=on,caching-mode=on)
[ "$mode" = nodmar ] && vtd=()

mkdir -p build/logs
log=build/logs/$name.log
out=/dev/null
[ "$mode" = show ] && out=/dev/stdout
scripts/qemu-run.py --log "$log" --timeout "${GUEST_TIMEOUT:-600}" -- \
	qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-bios /usr/share/qemu/qboot.rom \
	-machine q35 "${vtd[@]}" \
	-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
	-nodefaults -display none -serial stdio -no-reboot \
	-kernel build/guest/arch/x86/boot/bzImage \
	-initrd build/initramfs.cpio.gz \
	-append "console=ttyS0 intel_iommu=$iommu panic=-1 oops=panic isotest=$mode isotest_topology=$topology $append" \
	"${devices[@]}" "$@" |
	if [ "$mode" = show ]; then sed -n '/^ISOTEST-SHOW-BEGIN/,/^ISOTEST-SHOW-END/p' | sed '1d;$d'; else cat >"$out"; fi
grep -q '^ISOTEST-DONE' "$log" || { echo "guest did not finish, see $log" >&2; exit 1; }

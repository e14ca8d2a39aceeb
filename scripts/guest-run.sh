#!/usr/bin/env bash
# Boots the guest kernel in QEMU (q35 with an IOMMU, under TCG) and runs
# one mode of the guest init, with the kernel console in
# build/logs/<name>.log and the tests' own channel, a port the kernel never
# writes to (ttyS1; on pseries the second vty, hvc1), in
# build/logs/<name>.out:
#   --show   print the isolation groups (lsisol) and the kernel's iommu groups
#   --check  the driver-core tests with the test provider beside the
#            IOMMU's provider (VT-d: with intel_iommu=off, no provider);
#            RACE_ROUNDS (2000) rounds of tests/guest/bind-race.c
#   --groups the IOMMU's isolation groups against the topology's expected
#            groups and the kernel's iommu groups, hotplug included
#            (FAULT_ALL=1: the slow hot-add fault-injection case too)
#   --override ports declared by the administrator, on topology override
#            (tests/guest/override.sh)
#   --qemu   Debian's QEMU inside the guest as a VFIO client
#            (tests/guest/qemu-vfio.sh), with the initramfs that holds it
#   --vfio   VFIO as isolation manager (tests/guest/vfio-isolation.c)
#   --stress concurrency stress (tests/guest/stress.sh) for
#            STRESS_SECONDS (60)
#   --iommufd iommufd's own selftests (tests/guest/iommufd.sh), VT-d off
#   --bench  the merging benchmark (tests/guest/bench.sh) on topology merge,
#            BENCH_MIB (256) MiB mapped
#   --grouping the grouping benchmark (tests/guest/grouping.sh), VT-d off,
#            on a topology groupingN
#   --nodmar the machine without an IOMMU: no provider, no groups
#   --spapr  VFIO as isolation manager on pseries, through the sPAPR TCE
#            backend (tests/guest/vfio-spapr.sh)
#   guest-run.sh MODE [--iommu intel|amd|virtio] [--name NAME]
#                [--topology NAME] [-- extra QEMU arguments]
# The IOMMU is VT-d (intel, the default), AMD-Vi (amd) or virtio-iommu
# (virtio); AMD-Vi and virtio-iommu are PCI functions at 00:01.0.  With
# pseries, the machine is a ppc64le pseries (build/pseries, from
# scripts/pseries-build.sh) whose PCI host bridges' TCE tables translate DMA.
# Topologies are the functions of tests/topologies.sh.  BASE=NAME boots
# the kernel of another base (scripts/guest-build.sh, pseries-build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
mode=""
name=""
topology=default
iommu=intel
while [ $# -gt 0 ]; do
	case "$1" in
	--show|--check|--groups|--override|--qemu|--vfio|--stress|--iommufd|--bench|--grouping|--nodmar|--spapr) mode=${1#--} ;;
	--iommu) iommu=$2; shift ;;
	--name) name=$2; shift ;;
	--topology) topology=$2; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 --show|--check|--groups|--override|--qemu|--vfio|--stress|--iommufd|--bench|--grouping|--nodmar|--spapr [--iommu intel|amd|virtio|pseries] [--name NAME] [--topology NAME] [-- qemu args]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$mode" ] || { echo "usage: $0 --show|--check|--groups|--override|--qemu|--vfio|--stress|--iommufd|--bench|--grouping|--nodmar|--spapr [--iommu intel|amd|virtio|pseries]" >&2; exit 2; }
name=${name:-$mode}

# shellcheck source=../tests/topologies.sh
. tests/topologies.sh
declare -F "topology_$topology" >/dev/null || { echo "no topology $topology" >&2; exit 2; }
devices=()
append=""
"topology_$topology"

case "$iommu" in
intel) machine=q35 iommu_dev=(-device intel-iommu,intremap=on,caching-mode=on) ;;
# QEMU 7.2's IVRS names the southbridge IOAPIC at 00:14.0, where q35 has
# no device; 7.3 reads the class there (check_sb_ioapic()) and turns
# interrupt remapping off, 6.12 did not look.  So under 7.3 AMD-Vi, like
# virtio-iommu, does not isolate MSIs here, and VFIO and iommufd take its
# devices only with unsafe interrupts allowed.
amd) machine=q35,kernel-irqchip=split iommu_dev=(-device amd-iommu,intremap=on)
	[ "$base_name" = 6.12 ] ||
		append="$append vfio_iommu_type1.allow_unsafe_interrupts=1 iommufd.allow_unsafe_interrupts=1" ;;
# virtio-iommu on x86 does not isolate MSIs (no interrupt remapping), so
# VFIO and iommufd take its devices only when the administrator allows
# unsafe interrupts.
virtio) machine=q35 iommu_dev=(-device virtio-iommu-pci,addr=0x1)
	append="$append vfio_iommu_type1.allow_unsafe_interrupts=1 iommufd.allow_unsafe_interrupts=1" ;;
pseries) machine="" iommu_dev=() ;;
*) echo "no IOMMU $iommu (intel, amd, virtio, pseries)" >&2; exit 2 ;;
esac
intel_iommu=on
# iommufd's selftests need VT-d off too: with it on, no mock device of
# theirs attaches to a mock domain (EINVAL); the grouping benchmark needs
# every device out of any group.
case "$mode" in check|iommufd|grouping) [ "$iommu" = intel ] && intel_iommu=off ;; esac
[ "$mode" = nodmar ] && iommu_dev=() iommu=none

mkdir -p build/logs
log=build/logs/$name.log
results=build/logs/$name.out
out=/dev/null
[ "$mode" = show ] && out=/dev/stdout
# A guest silent for GUEST_STALL seconds gets an NMI, on which it prints
# every CPU's and task's stack and the timers (panic_print) and stops.
# 1 GiB, but for the merging benchmark's mappings: kmemleak's scan, which
# each guest runs twice, takes time in proportion to it.
mem=1G
[ "$mode" != bench ] || mem=2G
initrd_qemu=""
[ "$mode" != qemu ] || initrd_qemu=-qemu
if [ "$iommu" = pseries ]; then
	# The capabilities that TCG cannot give are turned off, as QEMU asks.
	qemu=(qemu-system-ppc64 -accel tcg -cpu POWER9 -smp 1 -m 1G
		-machine pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
		-kernel "build/pseries$build_suffix/vmlinux" -initrd "build/pseries$build_suffix-initramfs.cpio.gz"
		-serial stdio -device spapr-vty,chardev=isotest)
	console=hvc0 channel=hvc1
	cmdline=""
else
	qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "$mem"
		-bios /usr/share/qemu/qboot.rom
		-machine "$machine" "${iommu_dev[@]}"
		-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		-kernel "build/guest$build_suffix/arch/x86/boot/bzImage" -initrd "build/initramfs$initrd_qemu$build_suffix.cpio.gz"
		-serial stdio -serial chardev:isotest)
	console=ttyS0 channel=ttyS1
	cmdline="intel_iommu=$intel_iommu unknown_nmi_panic"
fi
# The channel test of --check writes a burst of kernel messages.
[ "$mode" = check ] && cmdline="$cmdline printk.devkmsg=on"
scripts/qemu-run.py --log "$log" --results "$results" --timeout "${GUEST_TIMEOUT:-600}" --stall "${GUEST_STALL:-180}" -- \
	"${qemu[@]}" -nodefaults -display none -no-reboot \
	-append "console=$console $cmdline isotest_channel=$channel panic=-1 oops=panic panic_print=0x45 isotest=$mode isotest_iommu=$iommu isotest_topology=$topology isotest_stress_seconds=${STRESS_SECONDS:-60} isotest_race_rounds=${RACE_ROUNDS:-2000} isotest_fault_all=${FAULT_ALL:-0} isotest_bench_mib=${BENCH_MIB:-256} $append" \
	"${devices[@]}" "$@" |
	if [ "$mode" = show ]; then sed -n '/^ISOTEST-SHOW-BEGIN/,/^ISOTEST-SHOW-END/p' | sed '1d;$d'; else cat >"$out"; fi
grep -q '^ISOTEST-DONE' "$results" || { echo "guest did not finish, see $log and $results" >&2; exit 1; }

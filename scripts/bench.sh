#!/usr/bin/env bash
# make bench: the KUnit benchmark isolation_groups_bench, whose figures are
# ratios measured in one run; prints them (kunit.py's output is in
# build/logs/bench*.txt).
#  - under UML: driver_match_device() against the test bus's match callback,
#    and the core's operations on 1000, 10000 and 100000 devices;
#  - on x86_64 under QEMU (TCG), a kernel with PCI and e1000e and one
#    e1000e device: driver_match_device() against pci_bus_match() with
#    e1000e's ID table;
#  - in the debug guest under VT-d (tests/guest/bench.sh), what merging
#    saves: IOMMU page tables and map time of 256 MiB for K = 1, 2, 4, 8
#    groups, each in a container of its own and all in one.
#  - in the debug guest without VT-d (tests/guest/grouping.sh), grouping
#    every PCI device with the PCI rules against the IOMMU core's
#    pci_device_group(), on topologies of 34, 64, 124 and 259 devices.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
mkdir -p build/logs
figures() { grep -E '^ *# iso_bench_[a-z_]+: ' "$1" | sed 's/^ *# iso_bench_[a-z_]*: //'; }

scripts/kunit-uml.sh 'isolation_groups_bench' --kernel_args isolation_bench.scale_max=100000 \
	>build/logs/bench.txt 2>&1 || { tail -n 30 build/logs/bench.txt; exit 1; }
figures build/kunit/test.log

(cd "$(bash -c '. scripts/lib.sh && echo "$tree"')" && ./tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig=drivers/base/test \
	--kconfig_add CONFIG_ISOLATION_KUNIT_BENCH=y \
	--kconfig_add CONFIG_PCI=y --kconfig_add CONFIG_NET=y \
	--kconfig_add CONFIG_NETDEVICES=y --kconfig_add CONFIG_ETHERNET=y \
	--kconfig_add CONFIG_NET_VENDOR_INTEL=y --kconfig_add CONFIG_E1000E=y \
	--qemu_args '-device e1000e' --kernel_args 'isolation_bench.scale_max=1000' \
	--build_dir="$top/build/kunit-x86" --jobs="$(nproc)" \
	--make_options "CC=ccache gcc" 'isolation_groups_bench.iso_bench_pci') \
	>build/logs/bench-x86.txt 2>&1 || { tail -n 30 build/logs/bench-x86.txt; exit 1; }
grep -q '^ *ok [0-9]* iso_bench_pci$' build/kunit-x86/test.log ||
	{ echo "bench: the PCI case did not run"; grep iso_bench_pci build/kunit-x86/test.log; exit 1; }
figures build/kunit-x86/test.log

BENCH_MIB=${BENCH_MIB:-256} scripts/guest-run.sh --bench --iommu intel --topology merge --name bench-merge
grep -q '^ISOTEST: not ok' build/logs/bench-merge.out && { grep '^ISOTEST: not ok' build/logs/bench-merge.out; exit 1; }
sed -n 's/^ISOTEST-BENCH: //p' build/logs/bench-merge.out

for n in 32 64 128 256; do
	scripts/guest-run.sh --grouping --topology grouping$n --name bench-grouping$n
	grep -q '^ISOTEST: not ok' build/logs/bench-grouping$n.out &&
		{ grep '^ISOTEST: not ok' build/logs/bench-grouping$n.out; exit 1; }
	sed -n 's/^ISOTEST-GROUPING: //p' build/logs/bench-grouping$n.out
done

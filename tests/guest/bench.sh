#!/bin/sh
# The benchmarks in the debug guest, on topology_merge.  First the KUnit
# benchmark module, briefly (one round, 1000 devices), for its real-bus
# case: an e1000e against pci_bus_match(); its figures are in the log,
# only its results count.  Then the merging benchmark
# (tests/guest/merge-bench.c): the eight e1000e go to vfio-pci,
# merge-bench maps isotest_bench_mib MiB for K = 1, 2, 4 and 8 groups, each group in a container of its own and all
# in one, and prints its figures ("ISOTEST-BENCH:" lines); then the devices
# go back to e1000e and nothing may have leaked.
. /tests/lib.sh
mib=$(sed -n 's/.*isotest_bench_mib=\([0-9]*\).*/\1/p' /proc/cmdline)

devs=""
for d in $PCI/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10d3 ] && devs="$devs ${d##*/}"
done

t_kunit_bench() {
	insmod /lib/modules/isolation-bench.ko rounds=1 scale_max=1000 ||
		{ fail "insmod isolation-bench failed"; return; }
	grep '# iso_bench' /sys/kernel/debug/kunit/isolation_groups_bench/results
	kunit_passed isolation_groups_bench iso_bench_pci || return
	rmmod isolation_bench || fail "rmmod failed"
}

t_to_vfio() {
	[ "$(echo $devs | wc -w)" = 8 ] || { fail "expected 8 e1000e, found:$devs"; return; }
	for d in $devs; do
		rebind "$d" vfio-pci || { fail "$d: cannot bind vfio-pci"; return; }
		[ "$(drv_of $d)" = vfio-pci ] || { fail "$d is on '$(drv_of $d)'"; return; }
	done
}

t_merge_bench() {
	args=""
	for d in $devs; do
		iso=$(readlink $PCI/devices/$d/isolation_group) &&
		iommu=$(readlink $PCI/devices/$d/iommu_group) || { fail "$d: no group"; return; }
		args="$args ${iso##*/}:${iommu##*/}"
	done
	# In base pages, as the IOMMU maps memory that is not in huge pages,
	# and with transparent huge pages, which it maps 2 MiB at a time.
	thp=/sys/kernel/mm/transparent_hugepage/enabled
	for mode in never always; do
		echo $mode > $thp || { fail "cannot set $thp"; return; }
		echo "ISOTEST-BENCH: transparent huge pages: $mode"
		/bin/merge-bench "${mib:-256}" 8 $args > /tmp/merge-bench.out 2>&1
		rc=$?
		cat /tmp/merge-bench.out
		[ $rc = 0 ] || { fail "merge-bench exit status $rc"; return; }
	done
}

t_back() {
	for d in $devs; do
		rebind "$d" "" || { fail "$d: cannot give it back"; return; }
		[ "$(drv_of $d)" = e1000e ] || { fail "$d is on '$(drv_of $d)'"; return; }
	done
}

check bench-kunit t_kunit_bench
check bench-to-vfio t_to_vfio
check bench-merge t_merge_bench
check bench-back t_back
check bench-kmemleak t_kmemleak

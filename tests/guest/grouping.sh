#!/bin/sh
# The grouping benchmark on one of the topologies grouping32 ... grouping256,
# booted with intel_iommu=off so that no PCI device is in a group: the
# suite pci_isolation_bench of pci-isolation-test.ko groups the whole
# machine with the PCI rules and with the IOMMU core's pci_device_group(),
# and prints both times ("ISOTEST-GROUPING:"); only its results count.
. /tests/lib.sh

t_grouping() {
	r=/sys/kernel/debug/kunit/pci_isolation_bench/results
	# (no newline: the parameter is the glob as written)
	printf %s pci_isolation_bench > /sys/module/kunit/parameters/filter_glob ||
		{ fail "cannot set kunit.filter_glob"; return; }
	insmod /lib/modules/pci-isolation-test.ko || { fail "insmod failed"; return; }
	[ -e $r ] || { fail "no $r"; return; }
	sed -n 's/^ *# pci_iso_bench_grouping: \(.*devices.*\)/ISOTEST-GROUPING: \1/p' $r
	kunit_passed pci_isolation_bench pci_iso_bench_grouping || return
	rmmod pci_isolation_test || fail "rmmod failed"
}

check grouping-bench t_grouping
check grouping-kmemleak t_kmemleak

#!/bin/sh
# Guest tests on a q35 machine without a VT-d IOMMU (no DMAR table), booted
# with intel_iommu=on: the VT-d provider must not register, no device may
# get a group, and drivers must bind as they do without the series.
. /tests/lib.sh

# Without DMAR the kernel makes no iommu group either; if it did, the
# machine would not be the one this test is about.
t_no_iommu() {
	[ -z "$(ls $I 2>/dev/null)" ] || fail "iommu groups exist: $(ls $I | tr '\n' ' ')"
}

t_no_groups() {
	[ -d $G ] || { fail "$G missing"; return; }
	[ -z "$(ls $G)" ] || fail "groups without DMAR: $(ls $G | tr '\n' ' ')"
}

# Every pci-serial device (vendor 1b36, device 0002) has its driver.
t_drivers() {
	n=0
	for d in $PCI/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1b36:0x0002 ] || continue
		[ "$(drv_of "${d##*/}")" = serial ] || { fail "${d##*/} is not bound to serial"; return; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no pci-serial device"
}

t_lsisol() {
	out=$(lsisol) || { fail "lsisol failed"; return; }
	echo "$out"
	[ "$(echo "$out" | grep -c '^[0-9]')" = 0 ] || { fail "lsisol shows groups"; return; }
	json=$(lsisol --json) || { fail "lsisol --json failed"; return; }
	echo "$json"
	case "$json" in *provider*) fail "lsisol --json shows groups" ;; esac
}

check nodmar-no-iommu-groups t_no_iommu
check nodmar-no-groups t_no_groups
check nodmar-no-links no_links
check nodmar-drivers t_drivers
check nodmar-lsisol t_lsisol
check nodmar-kmemleak t_kmemleak

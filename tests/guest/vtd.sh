#!/bin/sh
# Guest tests of the Intel VT-d isolation provider: its groups must be the
# same partition of the PCI devices as the kernel's own iommu groups in the
# same boot; requester_ids must match the requester IDs that the topology
# (read from PCI config space) gives; hotplug keeps both right.
. /tests/lib.sh

cfg_byte() { # cfg_byte DEV OFFSET: one byte of config space, in decimal
	od -An -tu1 -j "$2" -N 1 "$PCI/devices/$1/config" | tr -d ' '
}

# The PCIe device/port type of DEV (4 root port, 5 switch upstream, 6 switch
# downstream, 7 PCIe-to-PCI bridge, 8 PCI-to-PCIe bridge), or "pci" for a
# conventional device.
pcie_type() {
	pos=$(cfg_byte "$1" 52)
	while [ -n "$pos" ] && [ "$pos" -ne 0 ]; do
		if [ "$(cfg_byte "$1" "$pos")" = 16 ]; then
			echo $((($(cfg_byte "$1" $((pos + 2))) >> 4) & 15))
			return
		fi
		pos=$(cfg_byte "$1" $((pos + 1)))
	done
	echo pci
}

upstream_bridge() { # the PCI bridge above DEV, if any
	p=$(basename "$(dirname "$(readlink -f "$PCI/devices/$1")")")
	[ -e "$PCI/devices/$p" ] && echo "$p"
}

# The requester IDs DEV's DMA can carry on its way to the IOMMU: its own,
# and the one each bridge upstream puts on it.
requester_ids_of() {
	echo "$1"
	d=$1
	while b=$(upstream_bridge "$d"); do
		case $(pcie_type "$b") in
		4|5|6) ;;
		7) printf '%s:%02x:00.0\n' "${b%%:*}" "$(cfg_byte "$b" 25)" ;;
		*) echo "$b" ;;
		esac
		d=$b
	done
}

t_groups() {
	[ -n "$(ls $G)" ] || { fail "no isolation groups"; return; }
	for g in $G/*; do
		expect "$g/provider" intel-iommu || return
		expect "$g/manager" "" || return
		expect "$g/state" unmanaged || return
	done
}

t_same_as_iommu() {
	partition $G > /tmp/iso
	partition $I > /tmp/iommu
	echo "isolation groups:"; sed 's/^/  /' /tmp/iso
	echo "iommu groups:"; sed 's/^/  /' /tmp/iommu
	cmp -s /tmp/iso /tmp/iommu || fail "isolation groups differ from iommu groups"
}

t_requester_ids() {
	for g in $G/*; do
		for l in "$g"/devices/*; do
			requester_ids_of "${l##*/}"
		done | sort -u > /tmp/want
		sort -u "$g/requester_ids" > /tmp/have
		cmp -s /tmp/want /tmp/have ||
			{ fail "group ${g##*/}: requester_ids $(tr '\n' ' ' < /tmp/have), topology gives $(tr '\n' ' ' < /tmp/want)"; return; }
	done
	echo "requester IDs:"
	for g in $G/*; do echo "  ${g##*/}: $(tr '\n' ' ' < "$g/requester_ids")"; done
}

# lsisol has a row for each group with its provider, state and devices.
t_lsisol() {
	out=$(lsisol) || { fail "lsisol failed"; return; }
	echo "$out"
	for g in $G/*; do
		row=$(echo "$out" | grep "^${g##*/} ") || { fail "no row for group ${g##*/}"; return; }
		case "$row" in *" intel-iommu "*" unmanaged "*) ;; *) fail "row '$row'"; return ;; esac
		for l in "$g"/devices/*; do
			case "$row" in *" ${l##*/}("*) ;; *) fail "${l##*/} missing from '$row'"; return ;; esac
		done
	done
	[ "$(lsisol --json | grep -c '"provider": *"intel-iommu"')" = "$(ls $G | wc -l)" ] ||
		fail "lsisol --json does not list every group"
}

ndev() { ls $PCI/devices | wc -l; }
ngroups() { ls $G | wc -l; }

# Hot-add a two-function device into the empty PCIe slot given as
# isotest_hotplug=<QEMU id of the root port>: function 1 first, then 0.
# Whether the functions share a group is for the kernel's iommu groups to
# say; the isolation groups must agree.
t_hotplug_add() {
	port=$(sed -n 's/.*isotest_hotplug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
	dev0=$(ndev)
	groups0=$(ngroups)
	echo "ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"hot1\",\"bus\":\"$port\",\"addr\":\"0.1\"}}"
	echo "ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"hot0\",\"bus\":\"$port\",\"addr\":\"0.0\",\"multifunction\":\"on\"}}"
	wait_for '[ "$(ndev)" -ge $((dev0 + 2)) ]' 60 || { fail "hot-added devices did not appear"; return; }
	for d in $PCI/devices/*; do
		wait_for "[ -L $d/isolation_group ]" 10 || { fail "${d##*/} has no group"; return; }
	done
	t_same_as_iommu || return
	[ "$(ngroups)" -gt "$groups0" ] || { fail "no new group"; return; }
	t_links || return
	t_requester_ids
}

t_hotplug_remove() {
	dev1=$(ndev)
	echo 'ISOTEST-QMP: {"execute":"device_del","arguments":{"id":"hot0"}}'
	wait_for '[ "$(ndev)" -le $((dev1 - 2)) ]' 60 || { fail "devices were not removed"; return; }
	[ "$(ngroups)" = "$groups0" ] || { fail "$(ngroups) groups left, expected $groups0"; return; }
	t_same_as_iommu || return
	t_links
}

check vtd-groups t_groups
check vtd-same-as-iommu t_same_as_iommu
check vtd-links t_links
check vtd-requester-ids t_requester_ids
check vtd-lsisol t_lsisol
if grep -q isotest_hotplug= /proc/cmdline; then
	check vtd-hotplug-add t_hotplug_add
	check vtd-hotplug-remove t_hotplug_remove
fi
check vtd-kmemleak t_kmemleak

#!/bin/sh
# Guest tests of the isolation provider of this boot's IOMMU (VT-d, AMD-Vi
# or virtio-iommu, or the partitionable endpoints of pseries): its groups
# must be the partition that the PCIe rules (and on pseries, the PEs)
# give for the topology (tests/guest/expect/, one for all three x86 IOMMUs),
# each of the kernel's own iommu groups must lie inside one of them, and
# they must equal the iommu groups except below switches without ACS, where
# the kernel's rules are wrong; each group's reasons must be the expected
# ones; iommu_ids must match the requester IDs that the topology (read from
# PCI config space) gives; re-adding a device and hotplug keep all of it
# right.
. /tests/lib.sh

topology=$(sed -n 's/.*isotest_topology=\([a-z0-9_]*\).*/\1/p' /proc/cmdline)
expect=/tests/expect/$topology

# A fork costs about 70 ms in the guest (TCG, KASAN), so the helpers that
# the per-device checks call in loops set variables rather than print, and
# read config space once per device and check.

# cfg_byte DEV OFFSET: sets B to one byte of DEV's config space, in
# decimal, from a copy of its first 256 bytes that cfg_forget drops
# (devices come and go, and rescans renumber buses).
cfg_byte() {
	f=/tmp/cfg-$1 off=$2
	[ -s "$f" ] || od -An -tu1 -v -N 256 "$PCI/devices/$1/config" | tr -s ' \n' '  ' > "$f"
	read -r line < "$f"
	set -- $line
	B=""
	[ "$off" -lt $# ] || return 1
	shift "$off"
	B=$1
}
cfg_forget() { rm -f /tmp/cfg-*; }

# pcie_type DEV: sets T to the PCIe device/port type of DEV (4 root port,
# 5 switch upstream, 6 switch downstream, 7 PCIe-to-PCI bridge, 8
# PCI-to-PCIe bridge), or "pci" for a conventional device.
pcie_type() {
	T=pci
	cfg_byte "$1" 52 || return 0
	pos=$B
	while [ -n "$pos" ] && [ "$pos" -ne 0 ]; do
		cfg_byte "$1" "$pos"
		if [ "$B" = 16 ]; then
			cfg_byte "$1" $((pos + 2))
			T=$(((B >> 4) & 15))
			return 0
		fi
		cfg_byte "$1" $((pos + 1))
		pos=$B
	done
}

# upstream_bridge DEV: sets U to the PCI bridge above DEV, or to nothing.
upstream_bridge() {
	U=$(readlink -f "$PCI/devices/$1")
	U=${U%/*}
	U=${U##*/}
	[ -e "$PCI/devices/$U" ] || U=""
}

# The requester IDs DEV's DMA can carry on its way to the IOMMU: its own,
# and the one each bridge upstream puts on it.
requester_ids_of() {
	echo "$1"
	d=$1
	while upstream_bridge "$d"; [ -n "$U" ]; do
		pcie_type "$U"
		case $T in
		4|5|6) ;;
		7) cfg_byte "$U" 25; printf '%s:%02x:00.0\n' "${U%%:*}" "$B" ;;
		*) echo "$U" ;;
		esac
		d=$U
	done
}

t_groups() {
	[ -n "$(ls $G)" ] || { fail "no isolation groups"; return; }
	for g in $G/*; do
		expect "$g/provider" "$PROVIDER" || return
		expect "$g/manager" "" || return
		expect "$g/state" unmanaged || return
	done
}

# The isolation groups in /tmp/iso, the iommu groups in /tmp/iommu, and in
# /tmp/iso-iommu the isolation groups with only the devices that have an
# iommu group: under virtio-iommu, 6.12 gives a device an iommu group only
# once a driver binds it (see Documentation/driver-api/isolation.rst).
show_partitions() {
	partition $G > /tmp/iso
	partition $I > /tmp/iommu
	while read -r line; do
		m=""
		for d in $line; do
			[ -e "$PCI/devices/$d/iommu_group" ] && m="$m $d"
		done
		[ -n "$m" ] && echo "${m# }"
	done < /tmp/iso | sort > /tmp/iso-iommu
	echo "isolation groups:"; sed 's/^/  /' /tmp/iso
	echo "iommu groups:"; sed 's/^/  /' /tmp/iommu
}

t_same_as_iommu() {
	show_partitions
	cmp -s /tmp/iso-iommu /tmp/iommu || fail "isolation groups differ from iommu groups"
}

# Every iommu group lies inside one isolation group: the IOMMU cannot
# separate what it groups.
t_iommu_inside() {
	for g in $I/*; do
		[ -d "$g/devices" ] || continue
		first=""
		for l in "$g"/devices/*; do
			# pseries: the iommu group of a PHB without devices
			[ -e "$l" ] || continue
			d=${l##*/}
			[ -L "$PCI/devices/$d/isolation_group" ] ||
				{ fail "$d (iommu group ${g##*/}) is in no isolation group"; return; }
			[ -n "$first" ] || first=$(group_of "$d")
			[ "$(group_of "$d")" = "$first" ] ||
				{ fail "iommu group ${g##*/} is split across isolation groups ($d)"; return; }
		done
	done
}

# The partition that the PCIe rules give for this topology.
t_expected() {
	show_partitions
	[ -f "$expect.groups" ] || { fail "no $expect.groups"; return; }
	cmp -s /tmp/iso "$expect.groups" ||
		{ diff "$expect.groups" /tmp/iso; fail "isolation groups differ from $expect.groups"; }
}

# Equal to the iommu groups where the kernel's rules hold; wider, and only
# below switches without ACS, where they do not.
t_vs_iommu() {
	show_partitions
	if grep -q 'inside switch' "$expect.reasons"; then
		! cmp -s /tmp/iso-iommu /tmp/iommu || { fail "isolation groups equal the iommu groups below an ACS-less switch"; return; }
		# Every wider group is a switch group.
		while read -r line; do
			grep -qx "$line" /tmp/iommu && continue
			for d in $line; do
				grep -q "^$d .*inside switch" "$expect.reasons" ||
					{ fail "group '$line' is wider than the iommu groups, but $d is not below a switch"; return; }
			done
		done < /tmp/iso-iommu
	else
		cmp -s /tmp/iso-iommu /tmp/iommu || fail "isolation groups differ from the iommu groups"
	fi
}

all_reasons() { # the reasons of every group, sorted
	for g in $G/*; do cat "$g/reasons"; done | sort
}

# Each device that shares a group says why, as the rules (and on pseries
# its PE) give it.
t_reasons() {
	all_reasons > /tmp/reasons
	sed 's/^/  /' /tmp/reasons
	cmp -s /tmp/reasons "$expect.reasons" ||
		{ diff "$expect.reasons" /tmp/reasons; fail "reasons differ from $expect.reasons"; return; }
	for g in $G/*; do
		n=$(ls "$g/devices" | wc -l)
		r=$(wc -l < "$g/reasons")
		[ "$n" -gt 1 ] || [ "$r" = 0 ] || { fail "group ${g##*/} of one device has reasons"; return; }
		[ "$n" = 1 ] || [ "$r" = "$n" ] || { fail "group ${g##*/}: $n devices, $r reasons"; return; }
	done
	(echo x > "$G/$(ls $G | head -n 1)/reasons") 2>/dev/null && fail "reasons is writable"
	return 0
}

# Devices added in another order end up in the same groups: in each shared
# group, the last device (by address) below a root port that has nothing
# below it is removed and found again by a rescan, so that it is added
# after the rest of its group.  (Bridges stay: with DEBUG_KOBJECT_RELEASE the PCIe hotplug slot
# of a removed port lingers in sysfs, and the port found again cannot
# register it.)
t_readd() {
	partition $G > /tmp/before
	all_reasons > /tmp/reasons-before
	n=0
	while read -r line; do
		set -- $line
		[ $# -gt 1 ] || continue
		d=""
		for m in "$@"; do
			case $m in *:00:*) continue ;; esac
			[ -d "$PCI/devices/$m/pci_bus" ] || d=$m
		done
		if [ -n "$d" ]; then
			echo 1 > "$PCI/devices/$d/remove"
			wait_for "[ ! -e $PCI/devices/$d ]" 30 || { fail "$d was not removed"; return; }
			echo 1 > $PCI/rescan
			wait_for "[ -L $PCI/devices/$d/isolation_group ]" 30 || { fail "$d did not come back into a group"; return; }
			partition $G > /tmp/after
			cmp -s /tmp/before /tmp/after ||
				{ diff /tmp/before /tmp/after; fail "groups changed when $d was added again"; return; }
			n=$((n + 1))
		fi
	done < /tmp/before
	all_reasons > /tmp/reasons-after
	cmp -s /tmp/reasons-before /tmp/reasons-after || { fail "reasons changed"; return; }
	echo "$n devices added again"
}

# Hot-add with each allocation of the placement failing in turn: removes
# DEV, arms fail_nth for the allocations made under drivers/pci/isolation.c
# (the provider's bus notifier and what it calls) and rescans DEV's bus,
# for N = 1, 2, ... until the Nth is not reached.  After each round the
# other groups are as they were and no group is empty; DEV is either out
# of every group without a link (the placement failed) or placed with the
# members it had, linked both ways (nothing failed, or only something
# that is merely reported, such as a uevent).  See fault_hot_add().

# Without forking (a round must be short): L, the links of every group
# member but DEV; V, the group of DEV, if any; M, the other members of V.
fault_links() { # fault_links DEV
	L="" V="" M=""
	for l in $G/*/devices/*; do
		case "$l" in */devices/"$1") V=${l%/devices/*} ;; *) L="$L $l" ;; esac
	done
	[ -z "$V" ] && return
	for l in $V/devices/*; do
		case "$l" in */devices/"$1") ;; *) M="$M ${l##*/}" ;; esac
	done
}

# The rounds of fault injection on DEV's hot-add, described above.
fault_hot_add() { # fault_hot_add DEV
	d=$1
	n=1
	placed=0
	up=$(readlink -f "$PCI/devices/$d/..")
	fault_links "$d"
	L0=$L M0=$M
	while [ $n -le 500 ]; do
		echo 1 > "$PCI/devices/$d/remove"
		[ ! -e "$PCI/devices/$d" ] || { fail "$d was not removed"; return; }
		echo $n > /proc/thread-self/fail-nth
		echo 1 > "$up/rescan"
		read -r left < /proc/thread-self/fail-nth
		echo 0 > /proc/thread-self/fail-nth
		[ -e "$PCI/devices/$d" ] || { fail "$d did not come back at N=$n"; return; }
		fault_links "$d"
		[ "$L" = "$L0" ] || { fail "other groups changed at N=$n"; return; }
		for g in $G/*; do
			set -- $g/devices/*
			[ -e "$1" ] || { fail "empty group ${g##*/} at N=$n"; return; }
		done
		if [ -n "$V" ]; then
			[ "$M" = "$M0" ] || { fail "$d placed with '$M', not '$M0' at N=$n"; return; }
			[ "$PCI/devices/$d/isolation_group" -ef "$V" ] ||
				{ fail "$d is listed in ${V##*/} but does not link to it at N=$n"; return; }
		else
			[ "$left" = 0 ] || { fail "$d left out of every group, nothing injected"; return; }
			[ ! -L "$PCI/devices/$d/isolation_group" ] ||
				{ fail "$d links to a group that does not list it at N=$n"; return; }
		fi
		if [ "$left" != 0 ]; then
			echo "ISOTEST-FAULT: hot-add $d $((n - 1)) injection points, $placed placed all the same"
			return 0
		fi
		[ -z "$V" ] || placed=$((placed + 1))
		n=$((n + 1))
	done
	fail "more than 500 injection points"
}

# fault_hot_add for a device that joins a group of several and, with
# isotest_fault_all=1, for one alone in its group (a group is allocated
# for it, as in the pci_isolation_fault KUnit suite).
t_fault_hot_add() {
	fault_arm N || { fail "cannot arm fault injection"; return; }
	fault_range require /tests/pci-isolation-text || return
	partition $G > /tmp/before
	alone="" joins=""
	while read -r line; do
		set -- $line
		for m in "$@"; do
			case $m in *:00:*) continue ;; esac
			[ ! -d "$PCI/devices/$m/pci_bus" ] || continue
			if [ $# = 1 ]; then alone=${alone:-$m}; else joins=${joins:-$m}; fi
		done
	done < /tmp/before
	[ -n "$alone" ] && [ -n "$joins" ] || { fail "no endpoint alone in a group, or none in a group of several"; return; }
	# No driver probes the added devices meanwhile: placement is what is
	# tested, and e1000e takes seconds to probe.
	echo 0 > $PCI/drivers_autoprobe
	# A device alone takes about 35 rounds of 4 s, so only with
	# isotest_fault_all (make stress); one that joins about 8.
	if grep -q isotest_fault_all=1 /proc/cmdline; then
		fault_hot_add "$alone" && fault_hot_add "$joins"
	else
		fault_hot_add "$joins"
	fi
	rc=$?
	echo 1 > $PCI/drivers_autoprobe
	echo "$alone" > $PCI/drivers_probe
	echo "$joins" > $PCI/drivers_probe
	for f in failslab fail_page_alloc; do
		echo 0 > /sys/kernel/debug/$f/require-start
		echo 0xffffffffffffffff > /sys/kernel/debug/$f/require-end
	done
	fault_arm Y
	return $rc
}

# A requester ID as the IOMMU names it: VT-d context entries and AMD-Vi
# device table entries by requester ID, virtio-iommu by endpoint ID, which
# QEMU's VIOT table makes the requester ID (segment 0).
iommu_id_of() {
	case "$IOMMU" in
	pseries) echo "$1" ;;
	virtio) b=${1#*:}; f=${b#*.}; d=${b#*:}; d=${d%.*}; b=${b%%:*}
		printf '0x%x\n' $((0x$b << 8 | 0x$d << 3 | f)) ;;
	*) echo "$1" ;;
	esac
}

# pe_liobn DEV: the LIOBN of the default DMA window of DEV's PE on
# pseries, from the device tree: of the nearest node up from DEV's with a
# window (ibm,dma-window, or ibm,dma-window-saved once a dynamic window
# replaced it).
pe_liobn() {
	n=$(readlink -f "$PCI/devices/$1/of_node")
	while [ -n "$n" ] && [ "$n" != /sys/firmware/devicetree/base ]; do
		for w in ibm,dma-window ibm,dma-window-saved; do
			[ -e "$n/$w" ] || continue
			printf '0x%x\n' "0x$(od -An -tx1 -N4 "$n/$w" | tr -d ' \n')"
			return
		done
		n=${n%/*}
	done
}

# Each group's iommu_ids are the IDs of its devices' requester IDs, and on
# pseries the LIOBNs of its devices' PEs.
t_iommu_ids() {
	cfg_forget
	for g in $G/*; do
		for l in "$g"/devices/*; do
			if [ "$IOMMU" = pseries ]; then pe_liobn "${l##*/}"; continue; fi
			requester_ids_of "${l##*/}"
		done | sort -u | while read -r rid; do iommu_id_of "$rid"; done | sort -u > /tmp/want
		sort -u "$g/iommu_ids" > /tmp/have
		cmp -s /tmp/want /tmp/have ||
			{ fail "group ${g##*/}: iommu_ids $(tr '\n' ' ' < /tmp/have), topology gives $(tr '\n' ' ' < /tmp/want)"; return; }
	done
	echo "IOMMU IDs:"
	for g in $G/*; do echo "  ${g##*/}: $(tr '\n' ' ' < "$g/iommu_ids")"; done
}

# lsisol has a row for each group with its provider, state and devices.
t_lsisol() {
	out=$(lsisol) || { fail "lsisol failed"; return; }
	echo "$out"
	for g in $G/*; do
		row=$(echo "$out" | grep "^${g##*/} ") || { fail "no row for group ${g##*/}"; return; }
		case "$row" in *" $PROVIDER "*" unmanaged "*) ;; *) fail "row '$row'"; return ;; esac
		for l in "$g"/devices/*; do
			case "$row" in *" ${l##*/}("*) ;; *) fail "${l##*/} missing from '$row'"; return ;; esac
		done
	done
	[ "$(lsisol --json | grep -c "\"provider\": *\"$PROVIDER\"")" = "$(ls $G | wc -l)" ] ||
		fail "lsisol --json does not list every group"
}

# lsisol DEVICE shows the group of one device with its reasons, with or
# without the PCI domain; a device in no group fails with a message.
t_lsisol_device() {
	for p in $PCI/devices/*; do
		d=${p##*/}
		[ "$d" != "$IOMMU_DEV" ] || continue
		g=$(readlink "$p/isolation_group")
		g=${g##*/}
		out=$(lsisol "$d") || { fail "lsisol $d failed"; return; }
		rows=0 row=""
		while IFS= read -r line; do
			case "$line" in [0-9]*) rows=$((rows + 1)) row=$line ;; esac
		done <<-EOF
		$out
		EOF
		case "$rows:$row" in "1:$g "*" $d("*) ;;
		*) echo "$out"; fail "lsisol $d does not show group $g alone"; return ;;
		esac
		# Without the domain, lsisol matches the address in every domain.
		same=0
		for q in $PCI/devices/*; do
			case "${q##*/}" in *:"${d#*:}") same=$((same + 1)) ;; esac
		done
		if [ "$same" = 1 ]; then
			[ "$(lsisol "${d#*:}")" = "$out" ] || { fail "lsisol ${d#*:} differs from lsisol $d"; return; }
		fi
		reason=""
		while IFS= read -r line; do
			case "$line" in "$d "*) reason=${line#"$d "} ;; esac
		done < "$G/$g/reasons"
		if [ -n "$reason" ]; then
			case "$out" in *"$d: $reason"*) ;;
			*) echo "$out"; fail "lsisol $d does not give its reason"; return ;;
			esac
			json=$(lsisol --json "$d")
			case "$json" in *"\"reason\": \"$reason\""*) ;;
			*) fail "lsisol --json $d does not give its reason"; return ;;
			esac
		fi
	done
	echo "$out"
	if lsisol "${IOMMU_DEV:-0000:ff:1f.7}" >/tmp/out 2>/tmp/err; then
		fail "lsisol of a device in no group succeeded"; return
	fi
	[ ! -s /tmp/out ] && grep -q "in no isolation group" /tmp/err ||
		fail "lsisol of a device in no group: '$(cat /tmp/out /tmp/err)'"
}

ndev() { ls $PCI/devices | wc -l; }
ngroups() { ls $G | wc -l; }

# Hot-add a two-function device into the empty PCIe slot given as
# isotest_hotplug=<QEMU id of the root port>: function 1 first, then 0.
# The two e1000e functions, without ACS, share one new group.  The kernel's
# iommu groups put them apart: the PCI core marks function 1 multifunction
# only after the IOMMU core has grouped it, so there the isolation groups
# are wider, as they must be.
t_hotplug_add() {
	port=$(sed -n 's/.*isotest_hotplug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
	dev0=$(ndev)
	groups0=$(ngroups)
	ls $PCI/devices > /tmp/devs0
	partition $G > /tmp/iso0
	echo "ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"hot1\",\"bus\":\"$port\",\"addr\":\"0.1\"}}"
	echo "ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"hot0\",\"bus\":\"$port\",\"addr\":\"0.0\",\"multifunction\":\"on\"}}"
	wait_for '[ "$(ndev)" -ge $((dev0 + 2)) ]' 60 || { fail "hot-added devices did not appear"; return; }
	for d in $PCI/devices/*; do
		[ "${d##*/}" != "$IOMMU_DEV" ] || continue
		wait_for "[ -L $d/isolation_group ]" 10 || { fail "${d##*/} has no group"; return; }
	done
	new=$(ls $PCI/devices | grep -vxF -f /tmp/devs0 | tr '\n' ' ')
	new=${new% }
	show_partitions
	{ cat /tmp/iso0; echo "$new"; } | sort > /tmp/want
	cmp -s /tmp/iso /tmp/want || { fail "groups after the hot-add are not the old ones and {$new}"; return; }
	for d in $new; do
		grep -q "^$d function of multifunction slot .* without ACS$" "$G/$(group_of "$d")/reasons" ||
			{ fail "$d has no function reason"; return; }
	done
	t_iommu_inside || return
	[ "$(ngroups)" = $((groups0 + 1)) ] || { fail "not one new group"; return; }
	t_links || return
	t_iommu_ids
}

t_hotplug_remove() {
	dev1=$(ndev)
	echo 'ISOTEST-QMP: {"execute":"device_del","arguments":{"id":"hot0"}}'
	wait_for '[ "$(ndev)" -le $((dev1 - 2)) ]' 60 || { fail "devices were not removed"; return; }
	[ "$(ngroups)" = "$groups0" ] || { fail "$(ngroups) groups left, expected $groups0"; return; }
	partition $G | cmp -s - /tmp/iso0 || { fail "groups differ from those before the hot-add"; return; }
	t_same_as_iommu || return
	t_links
}

# A device hot-added below a switch without ACS while VFIO manages the
# switch's isolation group (one e1000e bound to vfio-pci, its VFIO group
# open, the other e1000e still on its host driver): it joins the group at
# once, no host driver may bind it, and it gets its host driver when VFIO
# lets the group go.  isotest_switch_hotplug=<QEMU id of an empty port>.
t_switch_managed_hotplug() {
	port=$(sed -n 's/.*isotest_switch_hotplug=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
	e=""
	for p in $PCI/devices/*; do
		d=${p##*/}
		[ "$(drv_of "$d")" = e1000e ] || continue
		grep -q "^$d .*inside switch" "$G/$(group_of "$d")/reasons" && { e=$d; break; }
	done
	[ -n "$e" ] || { fail "no e1000e below the switch"; return; }
	g=$(group_of "$e")
	ig=$(basename "$(readlink "$PCI/devices/$e/iommu_group")")
	echo vfio-pci > "$PCI/devices/$e/driver_override"
	echo "$e" > "$PCI/devices/$e/driver/unbind"
	echo "$e" > $PCI/drivers_probe
	[ "$(drv_of "$e")" = vfio-pci ] || { fail "$e is not bound to vfio-pci"; return; }
	exec 3<>"/dev/vfio/$ig" || { fail "cannot open /dev/vfio/$ig"; return; }
	expect "$G/$g/manager" vfio || return
	expect "$G/$g/state" managed || return
	ls "$G/$g/devices" > /tmp/members
	echo "ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"swhot\",\"bus\":\"$port\"}}"
	wait_for '[ "$(ls $G/$g/devices | wc -l)" -gt "$(wc -l < /tmp/members)" ]' 60 ||
		{ fail "the hot-added device did not join group $g"; return; }
	new=$(ls "$G/$g/devices" | grep -vxF -f /tmp/members)
	echo "hot-added $new into group $g"
	sleep 2
	[ -z "$(drv_of "$new")" ] || { fail "$new was bound to $(drv_of "$new") in a group VFIO manages"; return; }
	echo "$new" > $PCI/drivers/e1000e/bind 2>/dev/null && { fail "e1000e could bind $new"; return; }
	[ -z "$(drv_of "$new")" ] || { fail "$new is bound after a refused bind"; return; }
	grep -q "^$new .*inside switch" "$G/$g/reasons" || { fail "$new has no reason"; return; }
	expect "$G/$g/manager" vfio || return
	exec 3>&-
	wait_for "[ -z \"\$(cat $G/$g/manager)\" ]" 10 || { fail "VFIO did not let group $g go"; return; }
	wait_for "[ \"\$(drv_of $new)\" = e1000e ]" 30 || { fail "$new did not get its host driver"; return; }
	echo > "$PCI/devices/$e/driver_override"
	echo "$e" > $PCI/drivers/vfio-pci/unbind
	echo "$e" > $PCI/drivers_probe
	[ "$(drv_of "$e")" = e1000e ] || { fail "$e did not get its host driver back"; return; }
	echo 'ISOTEST-QMP: {"execute":"device_del","arguments":{"id":"swhot"}}'
	wait_for "[ ! -e $PCI/devices/$new ]" 60 || { fail "$new was not removed"; return; }
	ls "$G/$g/devices" | cmp -s - /tmp/members || fail "group $g did not get back to its members"
}

# Two providers at once: the test provider, loaded beside the IOMMU's,
# groups only the devices that no provider has grouped, here the IOMMU's
# own PCI function; the IOMMU's groups stay as they are, lsisol shows the
# groups of both, and unloading the test provider takes only its group.
two_providers() {
	partition $G > /tmp/before
	n=$(ls $G | wc -l)
	insmod /lib/modules/isolation_test_provider.ko || { fail "insmod failed"; return; }
	tg=$(group_of "$IOMMU_DEV")
	[ -n "$tg" ] || { fail "the test provider did not group $IOMMU_DEV"; return; }
	expect "$G/$tg/provider" test-pci || return
	[ "$(ls "$G/$tg/devices")" = "$IOMMU_DEV" ] || { fail "test group $tg: $(ls "$G/$tg/devices" | tr '\n' ' ')"; return; }
	[ "$(ls $G | wc -l)" = $((n + 1)) ] || { fail "not one new group"; return; }
	partition $G | grep -vx "$IOMMU_DEV" | cmp -s - /tmp/before || { fail "the IOMMU's groups changed"; return; }
	out=$(lsisol) || { fail "lsisol failed"; return; }
	echo "$out"
	[ "$(echo "$out" | grep -c " $PROVIDER ")" = "$n" ] && [ "$(echo "$out" | grep -c " test-pci ")" = 1 ] ||
		{ fail "lsisol does not show $n $PROVIDER groups and one test-pci group"; return; }
	[ "$(lsisol --json | grep -c '"provider": *"test-pci"')" = 1 ] || fail "lsisol --json does not show the test-pci group"
}
t_two_providers() {
	two_providers; rc=$?
	rmmod isolation_test_provider || { fail "rmmod failed"; return; }
	[ $rc = 0 ] || return $rc
	[ ! -e "$PCI/devices/$IOMMU_DEV/isolation_group" ] || { fail "$IOMMU_DEV still has a group"; return; }
	partition $G | cmp -s - /tmp/before || fail "groups differ after rmmod"
}

check groups t_groups
check iommu-inside t_iommu_inside
check expected t_expected
# Under virtio-iommu, 6.12 groups a device when its driver binds, and
# drivers bind in the order that deferred probing gives (a driver that
# binds before the virtio-iommu is probed is deferred), so the iommu
# groups there depend on that order and may be finer than the PCI rules
# allow anywhere; iommu-inside holds all the same.
[ "$IOMMU" = virtio ] || check vs-iommu t_vs_iommu
check reasons t_reasons
check links t_links
check sysfs-writes t_sysfs_writes
check iommu-ids t_iommu_ids
check lsisol t_lsisol
check lsisol-device t_lsisol_device
check readd t_readd
# Under one IOMMU and topology: the PCI rules are the same for all.
if [ "$IOMMU" = intel ] && grep -q isotest_topology=switches /proc/cmdline; then
	check fault-hot-add t_fault_hot_add
fi
[ -z "$IOMMU_DEV" ] || check two-providers t_two_providers
if grep -q isotest_hotplug= /proc/cmdline; then
	check hotplug-add t_hotplug_add
	check hotplug-remove t_hotplug_remove
fi
if grep -q isotest_switch_hotplug= /proc/cmdline; then
	check switch-managed-hotplug t_switch_managed_hotplug
fi
check kmemleak t_kmemleak

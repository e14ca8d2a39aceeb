#!/bin/sh
# Guest tests of ports declared by the administrator
# (pci=isolation_override=), on topology_override: the switches of
# topology_switches with the first switch's ports, and those of the switch
# below it, declared isolating, and a root port with ACS declared not
# isolating.  The groups must be those the declarations allow
# (tests/guest/expect/override.*, the same under every x86 IOMMU), never
# finer than the kernel's iommu groups; their reasons and overrides must
# name the declared ports; the boot log must hold one warning per declared
# port and one error per ignored entry; lsisol must show the overrides;
# VFIO must take the two sides of the first switch into two containers.
. /tests/lib.sh

expect=/tests/expect/override
# The e1000e below the first switch's second port, and the two below the
# switch below its first port.
SIDE_A=0000:09:00.0
SIDE_B=0000:0c:00.0,0000:0d:00.0

t_groups() {
	got=$(partition $G)
	[ "$got" = "$(cat $expect.groups)" ] ||
		fail "groups: $(echo "$got" | tr '\n' '|'), expected $(tr '\n' '|' < $expect.groups)"
}

# Each of the kernel's iommu groups lies inside one isolation group.
t_iommu_inside() {
	for i in $I/*; do
		g=""
		for d in $(ls "$i/devices"); do
			h=$(group_of "$d")
			[ -n "$h" ] || { fail "$d of iommu group ${i##*/} is in no isolation group"; return; }
			[ -z "$g" ] || [ "$g" = "$h" ] ||
				{ fail "iommu group ${i##*/} spans isolation groups $g and $h"; return; }
			g=$h
		done
	done
}

t_reasons() {
	got=$(cat $G/*/reasons | sed 's/iommu group [0-9]*/iommu group N/' | sort)
	[ "$got" = "$(cat $expect.reasons)" ] ||
		fail "reasons: $(echo "$got" | tr '\n' '|')"
}

# "<first device of the group> <port> <declared>" for every line of every
# group's overrides.
t_overrides() {
	got=$(for g in $G/*; do
		first=$(ls "$g/devices" | sort | head -n 1)
		sed "s/^/$first /" "$g/overrides"
	done | sort)
	[ "$got" = "$(cat $expect.overrides)" ] ||
		fail "overrides: $(echo "$got" | tr '\n' '|')"
}

# The kernel's messages about the declarations, each once: a warning per
# declared port, an error per ignored entry, and a line for each device
# that a declaration cannot part from its iommu group.
t_messages() {
	got=$(dmesg | sed 's/^\[[ 0-9.]*\] //' |
		grep -e 'isolation_override' -e 'by administrator override' \
			-e 'cannot split iommu group' -e 'the IOMMU groups it with' |
		grep -iv 'command line:' |
		sed 's/iommu group [0-9]*/iommu group N/' | sort)
	[ "$got" = "$(cat $expect.messages)" ] ||
		fail "messages: $(echo "$got" | tr '\n' '|')"
}

# lsisol shows a group's overrides, in its table and in its JSON.
t_lsisol() {
	dev=${SIDE_A}
	out=$(lsisol "$dev") || { fail "lsisol $dev failed"; return; }
	echo "$out" | grep -qx '    override: 0000:07:01.0 isolating' ||
		{ fail "lsisol $dev: $(echo "$out" | tr '\n' '|')"; return; }
	json=$(lsisol -j "$dev") || { fail "lsisol -j $dev failed"; return; }
	echo "$json" | grep -q '"overrides": \[{"port": "0000:07:00.0", "declared": "isolating"}, {"port": "0000:07:01.0", "declared": "isolating"}, {"port": "0000:07:02.0", "declared": "isolating"}\]' ||
		fail "lsisol -j $dev: $json"
}

check groups t_groups
check iommu-inside t_iommu_inside
check reasons t_reasons
check overrides t_overrides
check messages t_messages
check lsisol t_lsisol
/bin/vfio-override e1000e "$SIDE_A" "$SIDE_B"
check links t_links
check kmemleak t_kmemleak

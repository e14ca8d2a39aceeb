# QEMU q35 topologies for the guest tests, each but "default", "merge",
# "vfio" and the grouping ones run under every IOMMU by the groups tests: each function fills the array
# "devices" with QEMU arguments, and may set "append" to kernel arguments.
# Sourced by scripts/guest-run.sh.
# shellcheck shell=bash

# For the test provider, the machine without an IOMMU and a look by hand
# (guest-run.sh's default): single and multifunction conventional devices
# on the root complex, beside q35's own multifunction slot 1f.
topology_default() {
	devices=(
		-device pci-serial,addr=0x3
		-device pci-serial,addr=0x4.0,multifunction=on
		-device pci-serial,addr=0x4.1
	)
}

# Conventional devices: single and multifunction ones on the root complex,
# beside q35's own multifunction slot 1f (LPC, SATA, SMBus); a PCIe-to-PCI
# bridge below a root port with three devices; a conventional PCI bridge on
# the root complex with two; nested bridges (a conventional bridge behind a
# PCIe-to-PCI bridge) below another root port; and an empty PCIe hotplug
# slot.
topology_bridges() {
	devices=(
		-device pci-serial,addr=0x3
		-device pci-serial,addr=0x4.0,multifunction=on
		-device pci-serial,addr=0x4.1
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device pcie-pci-bridge,id=br1,bus=rp1
		-device pci-serial,bus=br1,addr=0x1
		-device pci-serial,bus=br1,addr=0x2
		-device pci-serial,bus=br1,addr=0x3
		-device pci-bridge,id=br2,addr=0x6,chassis_nr=2
		-device pci-serial,bus=br2,addr=0x1
		-device pci-serial,bus=br2,addr=0x2
		-device pcie-root-port,id=rp2,chassis=3,slot=3,addr=0x7
		-device pcie-pci-bridge,id=br3,bus=rp2
		-device pci-bridge,id=br4,bus=br3,addr=0x1,chassis_nr=4
		-device pci-serial,bus=br4,addr=0x1
		-device pci-serial,bus=br4,addr=0x2
		-device pci-serial,bus=br3,addr=0x2
		-device pcie-root-port,id=hp1,chassis=9,slot=9,addr=0x9
	)
	append="isotest_hotplug=hp1"
}

# PCIe switches without ACS: below a root port with ACS, a switch with a
# second switch below its first downstream port (a device below each of
# its two ports), a device below the second and an empty third port, for a
# hot-add while VFIO manages the switch's group; below a root port without
# ACS (ioh3420), a switch with a device below each of two ports; and a
# device alone below a root port with ACS.
topology_switches() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device xio3130-downstream,id=dn3,bus=up1,chassis=4,slot=0
		-device x3130-upstream,id=up2,bus=dn1
		-device xio3130-downstream,id=dn21,bus=up2,chassis=5,slot=0
		-device xio3130-downstream,id=dn22,bus=up2,chassis=6,slot=0
		-device e1000e,bus=dn21
		-device e1000e,bus=dn22
		-device e1000e,bus=dn2
		-device ioh3420,id=rp2,chassis=7,slot=7,addr=0x6
		-device x3130-upstream,id=up3,bus=rp2
		-device xio3130-downstream,id=dn31,bus=up3,chassis=8,slot=0
		-device xio3130-downstream,id=dn32,bus=up3,chassis=9,slot=0
		-device e1000e,bus=dn31
		-device e1000e,bus=dn32
		-device pcie-root-port,id=rp3,chassis=10,slot=10,addr=0x7
		-device e1000e,bus=rp3
	)
	append="isotest_switch_hotplug=dn3"
}

# The switches of topology_switches with ports declared by the administrator
# (pci=isolation_override=, tests/guest/override.sh): the three downstream
# ports of the first switch (by path) and the two of the switch below its
# first port isolating; the root port above it isolating, as its ACS makes
# it anyway; the root port with ACS above the lone device not isolating.
# The switch below the root port without ACS stays undeclared.  Then the
# entries that are ignored with an error each: one that is not MODE@DEVICE,
# one whose device cannot be read, one that names no device, one that names
# a switch upstream port, one that names the endpoints (e1000e), and one
# that declares the first switch's first port otherwise.
topology_override() {
	topology_switches
	local s1=0000:00:05.0/00.0
	append="pci=isolation_override=isolating@$s1/00.0;isolating@$s1/01.0;isolating@00:05.0/0.0/2.0"
	append+=";isolating@$s1/00.0/00.0/00.0;isolating@$s1/00.0/00.0/01.0"
	append+=";isolating@0000:00:05.0;not_isolating@0000:00:07.0"
	append+=";frobnicate@00:05.0;isolating@zz:00.0;isolating@pci:1234:5678"
	append+=";isolating@$s1;isolating@pci:8086:10d3;not_isolating@$s1/00.0"
}

# Multifunction devices and root ports: a multifunction device on the root
# complex and one below a root port; multifunction root ports with ACS and
# without (ioh3420), a device below each function; root ports alone, with
# ACS and without, a device below each.
topology_functions() {
	devices=(
		-device e1000e,addr=0x3.0,multifunction=on
		-device e1000e,addr=0x3.1
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device e1000e,bus=rp1,addr=0x0.0,multifunction=on
		-device e1000e,bus=rp1,addr=0x0.1
		-device pcie-root-port,id=rp2,chassis=2,slot=2,addr=0x6.0,multifunction=on
		-device pcie-root-port,id=rp3,chassis=3,slot=3,addr=0x6.1
		-device e1000e,bus=rp2
		-device e1000e,bus=rp3
		-device ioh3420,id=rp4,chassis=4,slot=4,addr=0x7
		-device e1000e,bus=rp4
		-device ioh3420,id=rp5,chassis=5,slot=5,addr=0x8.0,multifunction=on
		-device ioh3420,id=rp6,chassis=6,slot=6,addr=0x8.1
		-device e1000e,bus=rp5
		-device e1000e,bus=rp6
		-device pcie-root-port,id=rp7,chassis=7,slot=7,addr=0x9
		-device e1000e,bus=rp7
	)
}

# For the grouping benchmark (tests/guest/grouping.sh): UNITS times one
# root port with a switch of three downstream ports below it, without ACS
# (QEMU's xio3130), the first with a multifunction pci-testdev of four
# functions, the second with a PCIe-to-PCI bridge and four pci-testdev
# behind it, the third with one pci-testdev: 15 devices a unit, beside
# q35's own four.  grouping32, grouping64, grouping128 and grouping256 have
# about that many PCI devices.
grouping_units() { # grouping_units UNITS
	local u a f
	devices=()
	for ((u = 1; u <= $1; u++)); do
		a=$(printf 0x%x $((u + 1)))
		devices+=(-device "pcie-root-port,id=gr$u,chassis=$u,slot=$u,addr=$a"
			-device "x3130-upstream,id=gu$u,bus=gr$u"
			-device "xio3130-downstream,id=gd${u}a,bus=gu$u,chassis=$((100 + u)),slot=1"
			-device "xio3130-downstream,id=gd${u}b,bus=gu$u,chassis=$((100 + u)),slot=2"
			-device "xio3130-downstream,id=gd${u}c,bus=gu$u,chassis=$((100 + u)),slot=3"
			-device "pci-testdev,bus=gd${u}a,addr=0x0.0,multifunction=on")
		for f in 1 2 3; do
			devices+=(-device "pci-testdev,bus=gd${u}a,addr=0x0.$f")
		done
		devices+=(-device "pcie-pci-bridge,id=gb$u,bus=gd${u}b")
		for f in 1 2 3 4; do
			devices+=(-device "pci-testdev,bus=gb$u,addr=$(printf 0x%x "$f")")
		done
		devices+=(-device "pci-testdev,bus=gd${u}c")
	done
}
topology_grouping32() { grouping_units 2; }
topology_grouping64() { grouping_units 4; }
topology_grouping128() { grouping_units 8; }
topology_grouping256() { grouping_units 17; }

# For the merging benchmark (tests/guest/bench.sh): eight e1000e, each
# behind a root port with ACS, so eight isolation groups of one device.
topology_merge() {
	local i
	devices=()
	for i in 1 2 3 4 5 6 7 8; do
		devices+=(-device "pcie-root-port,id=rp$i,chassis=$i,slot=$i,addr=$(printf 0x%x $((i + 2)))"
			-device "e1000e,bus=rp$i")
	done
}

# For the VFIO test: two e1000 functions of one multifunction slot on the
# root complex (one group; under virtio-iommu, QEMU 7.2 cannot attach the
# devices behind a PCIe-to-PCI bridge, see isolation.rst), two
# e1000e behind root ports with ACS (a group each), and a multifunction root
# port without ACS (one group of both functions and what is below them)
# with an e1000e, QEMU id r0, below its first function and an empty slot
# below the second, rph, for the test's hot-add; and a switch without ACS
# with an e1000e below each of two downstream ports (one isolation group,
# two iommu groups).
topology_vfio() {
	devices=(
		-device e1000,addr=0x4.0,multifunction=on
		-device e1000,addr=0x4.1
		-device pcie-root-port,id=rpa,chassis=2,slot=2,addr=0x6
		-device e1000e,bus=rpa
		-device pcie-root-port,id=rpb,chassis=3,slot=3,addr=0x7
		-device e1000e,bus=rpb
		-device ioh3420,id=rpr,chassis=4,slot=4,addr=0x8.0,multifunction=on
		-device ioh3420,id=rph,chassis=5,slot=5,addr=0x8.1
		-device e1000e,id=r0,bus=rpr
		-device pcie-root-port,id=rps,chassis=6,slot=6,addr=0x9
		-device x3130-upstream,id=ups,bus=rps
		-device xio3130-downstream,id=dns1,bus=ups,chassis=7,slot=1
		-device xio3130-downstream,id=dns2,bus=ups,chassis=8,slot=2
		-device e1000e,bus=dns1
		-device e1000e,bus=dns2
	)
}

# pseries (guest-run.sh --iommu pseries), whose Partitionable Endpoints are
# its PCI host bridges: a device on the default PHB (domain 0000); two
# devices on the root bus of PHB 1 (isolated by the PCI rules, one PE); on
# PHB 2 a device beside a conventional PCI bridge with two devices below
# it; a multifunction device on PHB 3, and PHB 4 with nothing on it.
topology_pseries() {
	devices=(
		-device pci-serial,addr=0x3
		-device spapr-pci-host-bridge,index=1,id=phb1
		-device pci-serial,bus=phb1.0,addr=0x1
		-device pci-serial,bus=phb1.0,addr=0x2
		-device spapr-pci-host-bridge,index=2,id=phb2
		-device pci-serial,bus=phb2.0,addr=0x1
		-device pci-bridge,id=br2,bus=phb2.0,addr=0x2,chassis_nr=2
		-device pci-serial,bus=br2,addr=0x1
		-device pci-serial,bus=br2,addr=0x2
		-device spapr-pci-host-bridge,index=3,id=phb3
		-device pci-serial,bus=phb3.0,addr=0x1.0,multifunction=on
		-device pci-serial,bus=phb3.0,addr=0x1.1
		-device spapr-pci-host-bridge,index=4,id=phb4
	)
}

# QEMU q35 topologies for the guest tests: each function fills the array
# "devices" with QEMU arguments, and may set "append" to kernel arguments.  Sourced by scripts/guest-run.sh.
# shellcheck shell=bash

# Single and multifunction conventional devices on the root complex, beside
# q35's own multifunction slot 1f (LPC, SATA, SMBus), and an empty PCIe
# hotplug slot.
topology_default() {
	devices=(
		-device pci-serial,addr=0x3
		-device pci-serial,addr=0x4.0,multifunction=on
		-device pci-serial,addr=0x4.1
		-device pcie-root-port,id=hp1,chassis=9,slot=9,addr=0x9
	)
	append="isotest_hotplug=hp1"
}

# A PCIe-to-PCI bridge below a root port, with several conventional devices.
topology_pcie_pci_bridge() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device pcie-pci-bridge,id=br1,bus=rp1
		-device pci-serial,bus=br1,addr=0x1
		-device pci-serial,bus=br1,addr=0x2
		-device pci-serial,bus=br1,addr=0x3
		-device pci-serial,addr=0x3
	)
}

# Nested bridges: a conventional PCI bridge behind a PCIe-to-PCI bridge, and
# a conventional bridge straight on the root complex.
topology_nested_bridges() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device pcie-pci-bridge,id=br1,bus=rp1
		-device pci-bridge,id=br2,bus=br1,addr=0x1,chassis_nr=2
		-device pci-serial,bus=br2,addr=0x1
		-device pci-serial,bus=br2,addr=0x2
		-device pci-serial,bus=br1,addr=0x2
		-device pci-bridge,id=br3,addr=0x6,chassis_nr=3
		-device pci-serial,bus=br3,addr=0x1
		-device pci-serial,bus=br3,addr=0x2
	)
}

# A PCIe switch (upstream and two downstream ports) below a root port.
topology_pcie_switch() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device e1000e,bus=dn1
		-device e1000e,bus=dn2
	)
}

# A PCIe switch with three downstream ports, a device below each.
topology_switch3() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device xio3130-downstream,id=dn3,bus=up1,chassis=4,slot=0
		-device e1000e,bus=dn1
		-device e1000e,bus=dn2
		-device e1000e,bus=dn3
	)
}

# A PCIe switch without ACS with an empty downstream port, for a hot-add
# while VFIO manages the switch's group.
topology_switch_hotplug() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device xio3130-downstream,id=dn3,bus=up1,chassis=4,slot=0
		-device e1000e,bus=dn1
		-device e1000e,bus=dn2
	)
	append="isotest_switch_hotplug=dn3"
}

# A switch below a downstream port of another switch, with a device beside
# it below the outer switch and one below each switch.
topology_nested_switch() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device x3130-upstream,id=up2,bus=dn1
		-device xio3130-downstream,id=dn21,bus=up2,chassis=4,slot=0
		-device xio3130-downstream,id=dn22,bus=up2,chassis=5,slot=0
		-device e1000e,bus=dn21
		-device e1000e,bus=dn22
		-device e1000e,bus=dn2
		-device pcie-root-port,id=rp2,chassis=6,slot=6,addr=0x6
		-device e1000e,bus=rp2
	)
}

# A switch below a root port without ACS (ioh3420), beside a switch below a
# root port with ACS.
topology_switch_ioh() {
	devices=(
		-device ioh3420,id=rp1,chassis=1,slot=1,addr=0x5
		-device x3130-upstream,id=up1,bus=rp1
		-device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
		-device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=0
		-device e1000e,bus=dn1
		-device e1000e,bus=dn2
	)
}

# Multifunction devices on the root complex and behind a root port, and
# multifunction root ports.
topology_multifunction() {
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
	)
}

# For the VFIO test: a PCIe-to-PCI bridge with two e1000 (one group), two
# e1000e behind root ports with ACS (a group each), and a multifunction root
# port without ACS (one group of both functions and what is below them)
# with an e1000e, QEMU id r0, below its first function and an empty slot
# below the second, rph, for the test's hot-add; and a switch without ACS
# with an e1000e below each of two downstream ports (one isolation group,
# two iommu groups).
topology_vfio() {
	devices=(
		-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=0x5
		-device pcie-pci-bridge,id=br1,bus=rp1
		-device e1000,bus=br1,addr=0x1
		-device e1000,bus=br1,addr=0x2
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

# Root ports with ACS (pcie-root-port) and without (ioh3420).
topology_root_ports() {
	devices=(
		-device ioh3420,id=rp1,chassis=1,slot=1,addr=0x5
		-device e1000e,bus=rp1
		-device ioh3420,id=rp2,chassis=2,slot=2,addr=0x6.0,multifunction=on
		-device ioh3420,id=rp3,chassis=3,slot=3,addr=0x6.1
		-device e1000e,bus=rp2
		-device e1000e,bus=rp3
		-device pcie-root-port,id=rp4,chassis=4,slot=4,addr=0x7
		-device e1000e,bus=rp4
	)
}

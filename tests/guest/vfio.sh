#!/bin/sh
# Guest tests of VFIO as the manager of isolation groups, on
# topology_vfio: the C program vfio-isolation drives VFIO and checks the
# groups; afterwards every device must still be linked to its group and
# nothing may have leaked.
. /tests/lib.sh

# For the program's fail_nth checks.  No allocation of the ACPI
# interpreter is failed: under a failed allocation while it evaluates _PRT
# (when vfio-pci enables a device), the unmodified 6.12 interpreter frees
# a namespace object that it still uses, and KASAN reports a
# use-after-free when the device is disabled.  /tests/acpi-text holds the
# interpreter's text range, found at build time.
t_fault_arm() {
	fault_arm N || { fail "cannot arm fault injection"; return; }
	fault_range reject /tests/acpi-text
}
check vfio-fault-arm t_fault_arm
/bin/vfio-isolation
check vfio-links t_links
check vfio-kmemleak t_kmemleak

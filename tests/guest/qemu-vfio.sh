#!/bin/sh
# Debian's QEMU as a real VFIO client inside the guest, on topology_vfio
# under VT-d: the e1000e below the root port with ACS at 00:06.0, alone in
# its isolation group, bound to vfio-pci, is given to a nested QEMU
# (TCG, stopped before its first instruction: -S) with
# "-device vfio-pci,host=...".  QEMU opens the VFIO group, sets a type1
# container and maps its guest memory when it realizes the device; its
# monitor must then list the device, the isolation group must be locked by
# vfio while QEMU runs, and unmanaged again once QEMU quits, with e1000e
# bound again.
. /tests/lib.sh

QEMU=/usr/bin/qemu-system-x86_64
# A write to the monitor of a QEMU that died must fail, not end the test.
trap '' PIPE
dev=""
for d in $PCI/devices/0000:00:06.0/0000:*; do
	[ -e "$d/vendor" ] && dev=${d##*/}
done

# Waits for the monitor's Nth prompt in /tmp/qemu.out, for up to 120 s.
prompt() {
	wait_for "[ \$(grep -o '(qemu)' /tmp/qemu.out 2>/dev/null | wc -l) -ge $1 ]" 120
}

t_client() {
	[ -n "$dev" ] || { fail "no device below 0000:00:06.0"; return; }
	[ -x $QEMU ] || { fail "no $QEMU in the initramfs"; return; }
	g=$(group_of "$dev")
	[ -n "$g" ] || { fail "$dev is in no isolation group"; return; }
	rebind "$dev" vfio-pci || { fail "cannot bind $dev to vfio-pci"; return; }
	[ "$(drv_of "$dev")" = vfio-pci ] || { fail "$dev is bound to '$(drv_of "$dev")'"; return; }
	rm -f /tmp/mon /tmp/qemu.out
	mkfifo /tmp/mon
	$QEMU -accel tcg -machine q35 -m 64 -nodefaults -display none -S \
		-L /usr/share/qemu -bios qboot.rom \
		-device vfio-pci,host="$dev",id=hostdev -monitor stdio \
		< /tmp/mon > /tmp/qemu.out 2>&1 &
	pid=$!
	exec 3> /tmp/mon
	echo "qemu-vfio: QEMU $pid started for $dev" >&2
	ok=1
	if ! prompt 1; then
		fail "QEMU did not come up: $(tr '\n' '|' < /tmp/qemu.out)"; ok=0
	fi
	if [ $ok = 1 ]; then
		echo "info pci" >&3
		if ! prompt 2 || ! grep -q "Ethernet controller: PCI device 8086:10d3" /tmp/qemu.out; then
			fail "QEMU's monitor does not list the device: $(tr '\n' '|' < /tmp/qemu.out)"; ok=0
		fi
	fi
	if [ $ok = 1 ]; then
		expect $G/$g/manager vfio && expect $G/$g/state locked || ok=0
		[ $ok = 1 ] && ! ls -l /proc/$pid/fd | grep -q "/dev/vfio/$(basename "$(readlink $PCI/devices/$dev/iommu_group)")" &&
			{ fail "QEMU holds no VFIO group file"; ok=0; }
	fi
	echo "qemu-vfio: QEMU $pid to quit" >&2
	echo quit >&3
	exec 3>&-
	wait $pid
	rc=$?
	[ $ok = 1 ] || return 1
	[ $rc = 0 ] || { fail "QEMU exited with $rc: $(tr '\n' '|' < /tmp/qemu.out)"; return; }
	wait_for "[ \"\$(cat $G/$g/manager)\" = '' ]" 10 || { fail "group $g still managed after QEMU quit"; return; }
	expect $G/$g/state unmanaged || return
	rebind "$dev" "" || { fail "cannot give $dev back"; return; }
	[ "$(drv_of "$dev")" = e1000e ] || fail "$dev is bound to '$(drv_of "$dev")', expected e1000e"
}

check qemu-client t_client
check qemu-links t_links
check qemu-kmemleak t_kmemleak

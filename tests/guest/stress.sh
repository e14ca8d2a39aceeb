#!/bin/sh
# Concurrency stress on topology_vfio, for isotest_stress_seconds (60 by
# default): workers run at once and count their operations, while a
# checker (stress-vfio links) verifies the links of every group.
#   hold     VFIO opens and closes group M (stress-vfio hold): while it
#            is open, M reads managed or locked, and never locked with a
#            foreign driver bound
#   bind     unbinds m2 (M's other function) and binds it to e1000 again
#   cdev     device A: to vfio-pci by driver_override and drivers_probe, a
#            device file bound to iommufd and closed, back to e1000e
#   rescan   removes switch device S2 and rescans the bus
#   hotplug  QMP device_add and device_del of an e1000e on port rph
#   module   loads the test provider, hands B's group to its manager and
#            takes it back, unloads it
# Afterwards every device is back on its driver, every group unmanaged, the
# groups are those of before, and kmemleak finds nothing.
. /tests/lib.sh

secs=$(sed -n 's/.*isotest_stress_seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-60}
MOD=/lib/modules/isolation_test_provider.ko
P=/sys/module/isolation_test_provider/parameters
STOP=/tmp/stress-stop
W=/tmp/stress

# The devices of topology_vfio, by where they are.
dev_at() { # dev_at PARENT-PORT-DEVFN: the device below a port of bus 0
	for d in $PCI/devices/*; do
		case "$(readlink -f "$d")" in */0000:00:$1/*) echo "${d##*/}"; return ;; esac
	done
}
m1=0000:00:04.0
m2=0000:00:04.1
a=$(dev_at 06.0)
b=$(dev_at 07.0)
s2=""

state_snapshot() { # every device with its driver; the groups
	for d in $PCI/devices/*; do echo "${d##*/} $(drv_of "${d##*/}")"; done
	partition $G
	cat $G/*/state | sort | uniq -c
}

# Runs "$@" until $STOP exists, counting the runs that succeed and fail
# in $W/NAME.
worker() { # worker NAME CMD...
	name=$1
	shift
	ok=0 bad=0
	while [ ! -e $STOP ]; do
		if "$@" >/dev/null 2>&1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	done
	echo "$ok $bad" > "$W/$name"
}

w_bind() {
	[ -z "$(drv_of $m2)" ] || echo $m2 > $PCI/devices/$m2/driver/unbind
	echo $m2 > $PCI/drivers/e1000/bind
}

w_cdev() {
	rebind "$a" vfio-pci
	rc=0
	stress-vfio cdev "$a" || rc=1
	rebind "$a" ""
	return $rc
}

w_rescan() {
	[ ! -e "$PCI/devices/$s2" ] || echo 1 > "$PCI/devices/$s2/remove"
	echo 1 > $PCI/rescan
	[ -e "$PCI/devices/$s2" ]
}

hot=""
hot_present() { hot=$(dev_at 08.1); [ -n "$hot" ]; }
w_hotplug() {
	echo 'ISOTEST-QMP: {"execute":"device_add","arguments":{"driver":"e1000e","id":"hs","bus":"rph"}}' >&3
	wait_for hot_present 20 || return 1
	echo 'ISOTEST-QMP: {"execute":"device_del","arguments":{"id":"hs"}}' >&3
	wait_for '! hot_present' 20
}

w_module() {
	insmod $MOD || return 1
	gb=$(group_of "$b")
	rc=0
	echo "$gb" > $P/manage && echo "$gb" > $P/release || rc=1
	rmmod isolation_test_provider || rc=1
	return $rc
}

t_setup() {
	[ -n "$a" ] && [ -n "$b" ] || { fail "topology_vfio devices not found"; return; }
	# The last Ethernet function below the switch's root port.
	s2=$(for d in $PCI/devices/*; do
		case "$(readlink -f "$d")" in */0000:00:09.0/*)
			[ "$(cat "$d/class")" = 0x020000 ] && echo "${d##*/}" ;;
		esac
	done | tail -n 1)
	[ -n "$s2" ] || { fail "no device below the switch"; return; }
	before=$(state_snapshot)
	echo vfio-pci > $PCI/devices/$m1/driver_override
	echo $m1 > $PCI/devices/$m1/driver/unbind
	echo $m1 > $PCI/drivers_probe
	[ "$(drv_of $m1)" = vfio-pci ] || fail "$m1 not on vfio-pci"
}

t_run() {
	rm -rf $W $STOP
	mkdir -p $W
	start=$(cut -d' ' -f1 /proc/uptime)
	# The hotplug worker's QMP requests go to the console, fd 3.
	exec 3>&1
	stress-vfio hold $m1 $m2 "$secs" > $W/hold.out 2>&1 &
	stress-vfio links "$secs" > $W/links.out 2>&1 &
	worker bind w_bind &
	worker cdev w_cdev &
	worker rescan w_rescan &
	worker hotplug w_hotplug &
	worker module w_module &
	sleep "$secs"
	touch $STOP
	wait
	echo "ISOTEST-STRESS: $secs s (uptime $start to $(cut -d' ' -f1 /proc/uptime))"
	for w in bind cdev rescan hotplug module; do
		read -r ok bad < $W/$w
		echo "ISOTEST-STRESS: $w $ok ok, $bad refused or failed"
	done
	echo "ISOTEST-STRESS: $(cat $W/hold.out)"
	echo "ISOTEST-STRESS: $(cat $W/links.out)"
	grep -q '^hold: [0-9]* opens' $W/hold.out || { fail "$(cat $W/hold.out)"; return; }
	grep -q '^links: [0-9]* passes' $W/links.out || { fail "$(cat $W/links.out)"; return; }
	for w in bind cdev rescan module; do
		read -r ok bad < $W/$w
		[ "$ok" -gt 0 ] || { fail "no $w operation succeeded"; return; }
	done
}

# Everything back as it was: drivers, groups, states.
t_restored() {
	[ -e "$PCI/devices/$s2" ] || echo 1 > $PCI/rescan
	! hot_present || { echo 'ISOTEST-QMP: {"execute":"device_del","arguments":{"id":"hs"}}'; wait_for '! hot_present' 20; }
	echo > $PCI/devices/$m1/driver_override
	echo $m1 > $PCI/devices/$m1/driver/unbind
	echo $m1 > $PCI/drivers_probe
	[ -n "$(drv_of $m2)" ] || echo $m2 > $PCI/drivers_probe
	after=$(state_snapshot)
	[ "$after" = "$before" ] || {
		echo "before:"; echo "$before"; echo "after:"; echo "$after"
		fail "the state differs from before the stress"
	}
}

check stress-setup t_setup
check stress-run t_run
check stress-restored t_restored
check stress-links t_links
check stress-kmemleak t_kmemleak

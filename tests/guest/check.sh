#!/bin/sh
# Guest tests of isolation groups through sysfs, with the test provider
# module: layout and links, attributes, the bind gate while a group is
# managed, the state machine, and clean removal.  Prints one
# "ISOTEST: ok - name" or "ISOTEST: not ok - name: why" line per check.

. /tests/lib.sh
P=/sys/module/isolation_test_provider/parameters
MOD=/lib/modules/isolation_test_provider.ko
slot_of() { echo "${1%.*}"; }

# Booted with intel_iommu=off: no provider, so no group.
t_no_provider() {
	[ -z "$(ls $G)" ] || fail "groups without a provider: $(ls $G | tr '\n' ' ')"
}

t_kset() { [ -d $G ] || fail "$G missing"; }

# The tests' channel under a burst of kernel messages: a writer fills the
# kernel console through /dev/kmsg (booted with printk.devkmsg=on, so none
# is rate-limited) from before the first to after the last of
# BURST_LINES "ISOTEST-BURST: N" lines, which this prints meanwhile.  The
# host (scripts/check.sh) checks that every line arrived whole and in
# order, and that the console holds every message the writer counted.
BURST_LINES=400
t_channel_burst() {
	rm -f /tmp/burst-*
	(
		i=0
		while [ ! -e /tmp/burst-stop ]; do
			i=$((i + 1))
			echo "isotest-burst: kernel message $i, written while the tests print their results" > /dev/kmsg
			[ "$i" != 1 ] || : > /tmp/burst-started
		done
		echo "$i" > /tmp/burst-count
	) &
	wait_for '[ -e /tmp/burst-started ]' 10 || { : > /tmp/burst-stop; wait; fail "the writer did not start"; return; }
	i=0
	while [ "$i" -lt "$BURST_LINES" ]; do
		i=$((i + 1))
		echo "ISOTEST-BURST: $i of $BURST_LINES, a result line that no kernel message may cut"
	done
	: > /tmp/burst-stop
	wait
	n=$(cat /tmp/burst-count)
	echo "ISOTEST-BURST-MESSAGES: $n"
	[ "$n" -gt 1 ] || fail "the writer wrote $n messages"
}

# The KUnit suites, built as modules: those of the series loaded with
# fail_nth armed for sleeping allocations, so that their fault-injection
# suites run (they skip otherwise), then the driver core's own
# (drivers/base/test: root device and property entries; the platform
# device suite runs under UML only, as its probed cases register a driver
# named "test" again right after unregistering it, while with
# DEBUG_KOBJECT_RELEASE the first one's sysfs directory lives on until its
# delayed release, and sysfs refuses the duplicate).
# Each fault case is one "ISOTEST" line, with its count in an
# "ISOTEST-FAULT: CASE N injection points" line; the other suites'
# results go to the host as one KTAP document (t_kunit_ktap).
t_kunit_modules() {
	fault_arm N || { fail "cannot arm fault injection"; return; }
	for m in isolation-test pci-isolation-test; do
		insmod /lib/modules/$m.ko || { fail "insmod $m failed"; break; }
	done
	fault_arm Y
	[ -z "$why" ] || return
	for m in root-device-test property-entry-test; do
		insmod /lib/modules/$m.ko || { fail "insmod $m failed"; return; }
	done
}

# Every suite that ran but the fault-injection ones, from KUnit's debugfs,
# as one KTAP document between "ISOTEST-KTAP-BEGIN" and "ISOTEST-KTAP-END"
# lines, which the host reads with "kunit.py parse": each suite's results
# file without its own two-line header, its closing line numbered anew.
t_kunit_ktap() {
	suites=""
	for r in /sys/kernel/debug/kunit/*/results; do
		[ -e "$r" ] || continue
		s=${r%/results}
		s=${s##*/}
		case "$s" in *_fault) continue ;; esac
		suites="$suites $s"
	done
	[ -n "$suites" ] || { fail "no KUnit suite ran"; return; }
	set -- $suites
	echo "ISOTEST-KTAP-BEGIN"
	echo "KTAP version 1"
	echo "1..$#"
	i=0
	for s; do
		i=$((i + 1))
		sed -e '1,2d' -e "s/^\(not ok\|ok\) 1 $s\( .*\)\{0,1\}\$/\1 $i $s\2/" \
			/sys/kernel/debug/kunit/$s/results
	done
	echo "ISOTEST-KTAP-END"
}
t_fault_suite() { # t_fault_suite SUITE
	r=/sys/kernel/debug/kunit/$1/results
	[ -e "$r" ] || { fail "no $r"; return; }
	sed -n 's/^ *# \([a-z_]*\): \([0-9]* injection points.*\)$/ISOTEST-FAULT: \1 \2/p' "$r"
	sed -n 's/^ *ok [0-9]* \([a-z_]*iso_fault_[a-z_]*\)$/ISOTEST: ok - fault.\1/p
		s/^ *not ok [0-9]* \([a-z_]*iso_fault_[a-z_]*\).*/ISOTEST: not ok - fault.\1: see the KUnit log/p' "$r"
	grep -q "^ok [0-9]* $1\$" "$r" && ! grep -q "not ok\|# SKIP" "$r" ||
		{ cat "$r"; fail "the suite did not pass"; }
}

t_load() { insmod $MOD || fail "insmod failed"; }

# The test provider's rule: one group per PCI slot, all of the slot in it.
t_partition() {
	for g in $G/*; do
		slot=""
		for l in "$g"/devices/*; do
			[ -e "$l" ] || { fail "${g##*/} is empty"; return; }
			s=$(slot_of "${l##*/}")
			[ -z "$slot" ] || [ "$s" = "$slot" ] || { fail "${g##*/} spans $slot and $s"; return; }
			slot=$s
			[ "$(readlink -f "$l/isolation_group")" = "$(readlink -f "$g")" ] ||
				{ fail "${l##*/} is listed in ${g##*/} but links elsewhere"; return; }
		done
	done
	ng=$(ls $G | wc -l)
	ns=$(ls $PCI/devices | sed 's/\.[0-7]$//' | sort -u | wc -l)
	[ "$ng" = "$ns" ] || fail "$ng groups for $ns slots"
}

t_attrs() {
	for g in $G/*; do
		expect "$g/provider" test-pci || return
		expect "$g/manager" "" || return
		expect "$g/state" unmanaged || return
	done
}

# A pci-serial device in a slot of its own, bound to the serial driver.
single=""
multi=""
pick_devices() {
	for d in $PCI/devices/*; do
		name=${d##*/}
		[ "$(drv_of "$name")" = serial ] || continue
		n=$(ls "$G/$(group_of "$name")/devices" | wc -l)
		if [ "$n" = 1 ] && [ -z "$single" ]; then single=$name; fi
		if [ "$n" -gt 1 ] && [ -z "$multi" ]; then multi=$name; fi
	done
	[ -n "$single" ] && [ -n "$multi" ] || fail "topology lacks a single and a multifunction serial slot"
}

t_manage() {
	g=$(group_of "$single")
	echo "$g" > $P/manage || { fail "manage $g refused"; return; }
	expect $G/$g/manager test || return
	# The serial driver is still bound: managed, not locked.
	expect $G/$g/state managed || return
	if echo "$g" > $P/manage 2>/dev/null; then fail "second manage accepted"; return; fi
	expect $G/$g/manager test
}

t_unbind_locks() {
	g=$(group_of "$single")
	echo "$single" > $PCI/drivers/serial/unbind || { fail "unbind failed"; return; }
	expect $G/$g/state locked
}

# Every route to a driver that is not the manager's is refused.
t_bind_gate() {
	g=$(group_of "$single")
	if echo "$single" > $PCI/drivers/serial/bind 2>/dev/null; then fail "bind accepted"; return; fi
	[ -z "$(drv_of "$single")" ] || { fail "bound after bind"; return; }
	echo "$single" > $PCI/drivers_probe 2>/dev/null
	[ -z "$(drv_of "$single")" ] || { fail "bound after drivers_probe"; return; }
	echo serial > $PCI/devices/$single/driver_override
	echo "$single" > $PCI/drivers_probe 2>/dev/null
	[ -z "$(drv_of "$single")" ] || { fail "bound through driver_override"; return; }
	echo > $PCI/devices/$single/driver_override
	expect $G/$g/state locked
}

t_manager_driver() {
	g=$(group_of "$single")
	echo isolation-test-stub > $PCI/devices/$single/driver_override
	echo "$single" > $PCI/drivers_probe 2>/dev/null
	[ "$(drv_of "$single")" = isolation-test-stub ] || { fail "manager driver not bound"; return; }
	expect $G/$g/state locked
}

t_release() {
	g=$(group_of "$single")
	echo "$g" > $P/release || { fail "release refused"; return; }
	expect $G/$g/state unmanaged || return
	expect $G/$g/manager "" || return
	if echo "$g" > $P/release 2>/dev/null; then fail "second release accepted"; return; fi
	echo "$single" > $PCI/drivers/isolation-test-stub/unbind
	echo > $PCI/devices/$single/driver_override
	echo "$single" > $PCI/drivers_probe
	[ "$(drv_of "$single")" = serial ] || fail "serial driver did not come back"
}

# Binding a foreign driver races with handing the group to the manager,
# many times over (tests/guest/bind-race.c): never locked with a foreign
# driver bound.  pci-stub, through driver_override, is the foreign driver:
# it binds faster than the serial driver.
t_bind_race() {
	g=$(group_of "$single")
	rounds=$(sed -n 's/.*isotest_race_rounds=\([0-9]*\).*/\1/p' /proc/cmdline)
	echo "$single" > $PCI/drivers/serial/unbind || { fail "unbind failed"; return; }
	echo pci-stub > $PCI/devices/$single/driver_override
	out=$(bind-race "$single" pci-stub "$g" $P/manage $P/release "${rounds:-2000}")
	rc=$?
	echo "ISOTEST-RACE: $out"
	echo > $PCI/devices/$single/driver_override
	[ -z "$(drv_of "$single")" ] || echo "$single" > "$PCI/devices/$single/driver/unbind"
	echo "$single" > $PCI/drivers_probe
	[ $rc = 0 ] || { fail "$out"; return; }
	expect $G/$g/state unmanaged || return
	[ "$(drv_of "$single")" = serial ] || fail "serial driver did not come back"
}

# A multi-device group locks only when its last foreign driver goes, and
# releasing it probes the unbound devices with their ordinary drivers.
t_multi() {
	g=$(group_of "$multi")
	echo "$g" > $P/manage || { fail "manage refused"; return; }
	expect $G/$g/state managed || return
	last=""
	for l in $G/$g/devices/*; do
		n=${l##*/}
		[ -n "$(drv_of "$n")" ] || continue
		[ -z "$last" ] || { expect $G/$g/state managed || return; }
		echo "$n" > "$PCI/devices/$n/driver/unbind"
		last=$n
	done
	expect $G/$g/state locked || return
	echo "$g" > $P/release || { fail "release refused"; return; }
	for l in $G/$g/devices/*; do
		n=${l##*/}
		[ "$(drv_of "$n")" = serial ] || { fail "$n not re-probed after release"; return; }
	done
	expect $G/$g/state unmanaged
}

t_unload() {
	g=$(group_of "$single")
	echo "$g" > $P/manage || { fail "manage refused"; return; }
	rmmod isolation_test_provider || { fail "rmmod failed"; return; }
	[ -z "$(ls $G)" ] || { fail "groups left: $(ls $G | tr '\n' ' ')"; return; }
	no_links || return
	[ "$(drv_of "$single")" = serial ] || fail "serial driver lost"
}

t_reload() {
	insmod $MOD || { fail "second insmod failed"; return; }
	t_links || return
	rmmod isolation_test_provider || fail "second rmmod failed"
	[ -z "$(ls $G)" ] || fail "groups left after second unload"
}

check kset t_kset
check channel-burst t_channel_burst
check no-provider t_no_provider
check kunit-modules t_kunit_modules
check fault-core t_fault_suite isolation_fault
check fault-pci t_fault_suite pci_isolation_fault
check kunit-ktap t_kunit_ktap
check load t_load
check links t_links
check partition t_partition
check attributes t_attrs
check sysfs-writes t_sysfs_writes
check pick-devices pick_devices
check manage t_manage
check unbind-locks t_unbind_locks
check bind-gate t_bind_gate
check manager-driver t_manager_driver
check release t_release
check bind-race t_bind_race
check multi-device-group t_multi
check unload t_unload
check reload t_reload
check kmemleak t_kmemleak

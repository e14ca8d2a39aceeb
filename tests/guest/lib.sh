# Shared helpers of the guest tests.  Each test prints one line:
# "ISOTEST: ok - name" or "ISOTEST: not ok - name: why".
# shellcheck shell=sh

G=/sys/kernel/isolation_groups
I=/sys/kernel/iommu_groups
PCI=/sys/bus/pci
why=""
# The IOMMU of this boot (intel, amd, virtio, pseries or none), the name of its
# isolation provider, and its own PCI function, which translates nothing
# and so has no group (AMD-Vi and virtio-iommu are placed at 00:01.0).
IOMMU=$(sed -n 's/.*isotest_iommu=\([a-z]*\).*/\1/p' /proc/cmdline)
PROVIDER=$IOMMU-iommu
IOMMU_DEV=""
case "$IOMMU" in
amd|virtio) IOMMU_DEV=0000:00:01.0 ;;
# pseries: the TCE tables of the PCI host bridges, its Partitionable
# Endpoints, are the IOMMU.
pseries) PROVIDER=pseries-pe ;;
esac

# fault_arm N: lets fail_nth fail sleeping allocations and page allocations
# of any order, silently (nothing fails unless a task sets its fail-nth);
# fault_arm Y: only the others, as at boot.
fault_arm() {
	for f in failslab fail_page_alloc; do
		echo "$1" > /sys/kernel/debug/$f/ignore-gfp-wait || return 1
		echo 0 > /sys/kernel/debug/$f/verbose || return 1
	done
	echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
}

# fault_range require|reject FILE: fail_nth counts (require) or never
# fails (reject) only the allocations made with a function of the kernel
# text range in FILE ("START END FIRST-SYMBOL", from guest-build.sh) on
# the stack.  Checks the range against /proc/kallsyms.
fault_range() {
	read -r lo hi sym < "$2" || { fail "no text range in $2"; return; }
	grep -q "^$lo [tT] $sym\$" /proc/kallsyms ||
		{ fail "$sym is not at $lo in /proc/kallsyms"; return; }
	for f in failslab fail_page_alloc; do
		echo "0x$lo" > /sys/kernel/debug/$f/$1-start &&
		echo "0x$hi" > /sys/kernel/debug/$f/$1-end ||
			{ fail "cannot set $f's $1 range"; return; }
	done
}

ok() { echo "ISOTEST: ok - $1"; }
nok() { echo "ISOTEST: not ok - $1: $2"; }
# check NAME CMD...: runs CMD, which sets $why when it fails, and prints
# "ISOTEST-TIME: NAME START END" with the guest's uptime around it.
check() {
	local test=$1 start
	shift
	why=""
	start=$(cut -d' ' -f1 /proc/uptime)
	if "$@"; then ok "$test"; else nok "$test" "${why:-failed}"; fi
	echo "ISOTEST-TIME: $test $start $(cut -d' ' -f1 /proc/uptime)"
}
fail() { why="$*"; return 1; }
expect() { # expect FILE VALUE
	v=$(cat "$1" 2>/dev/null)
	[ "$v" = "$2" ] || fail "$1 is '$v', expected '$2'"
}
drv_of() { [ -e "$PCI/devices/$1/driver" ] && basename "$(readlink "$PCI/devices/$1/driver")"; }
# rebind DEV OVERRIDE: DEV's driver_override set to OVERRIDE (empty for
# none), DEV unbound from its driver, if any, and probed again.
rebind() {
	echo "$2" > "$PCI/devices/$1/driver_override" &&
	{ [ -z "$(drv_of "$1")" ] || echo "$1" > "$PCI/devices/$1/driver/unbind"; } &&
	echo "$1" > $PCI/drivers_probe
}
# kunit_passed SUITE [CASE]: the results of a KUnit suite run by a module
# (in KUnit's debugfs) say that it passed, and CASE passed, not skipped.
kunit_passed() {
	r=/sys/kernel/debug/kunit/$1/results
	[ -e "$r" ] || { fail "no $r"; return; }
	if [ -n "${2:-}" ] && ! grep -q "^ *ok [0-9]* $2\$" "$r"; then
		cat "$r"; fail "$2 did not pass"; return
	fi
	grep -q "^ok [0-9]* $1\$" "$r" || { cat "$r"; fail "the suite $1 did not pass"; }
}
group_of() { l=$(readlink "$PCI/devices/$1/isolation_group"); echo "${l##*/}"; }

# Every PCI device but the IOMMU has a link to its group, and the group
# links back; the IOMMU has none.
t_links() {
	n=0
	for d in $PCI/devices/*; do
		name=${d##*/}
		if [ "$name" = "$IOMMU_DEV" ]; then
			[ ! -e "$d/isolation_group" ] || { fail "the IOMMU $name has a group"; return; }
			continue
		fi
		[ -L "$d/isolation_group" ] || { fail "$name has no isolation_group"; return; }
		g=$(readlink -f "$d/isolation_group")
		case "$g" in $G/*) ;; *) fail "$name links to $g"; return ;; esac
		[ "$(readlink -f "$g/devices/$name")" = "$(readlink -f "$d")" ] ||
			{ fail "$g/devices/$name does not lead to $name"; return; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no PCI devices"
}

# No PCI device has an isolation_group link (or a dangling one), and there
# are PCI devices.
no_links() {
	n=0
	for d in $PCI/devices/*; do
		[ ! -e "$d/isolation_group" ] && [ ! -L "$d/isolation_group" ] ||
			{ fail "${d##*/} has an isolation_group link"; return; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no PCI devices"
}

# A partition of devices, one sorted group per line, lines sorted.  Empty
# groups are left out: a removed iommu group may linger in sysfs for a
# moment (CONFIG_DEBUG_KOBJECT_RELEASE delays its release).
partition() { # partition DIR-OF-GROUPS
	for g in "$1"/*; do
		[ -d "$g/devices" ] || continue
		m=$(ls "$g/devices" | sort | tr '\n' ' ')
		[ -n "$m" ] && echo "${m% }"
	done | sort
}

# Waits up to $2 seconds for the shell condition $1.
wait_for() {
	t=0
	while ! eval "$1"; do
		[ "$t" -ge "$(($2 * 10))" ] && return 1
		sleep 0.1
		t=$((t + 1))
	done
}

t_kmemleak() {
	k=/sys/kernel/debug/kmemleak
	[ -e $k ] || { fail "no $k"; return; }
	echo scan > $k; sleep 1; echo scan > $k
	r=$(cat $k)
	[ -z "$r" ] || { echo "$r"; fail "kmemleak reports leaks"; }
}

# Everything that can be read under $G, for comparing before and after:
# every entry with its type and link target, and every file's contents.
# (Two processes: a fork costs about 70 ms in the guest.)
sysfs_state() {
	ls -lR "$G" 2>&1
	grep -H "" $G/*/* 2>/dev/null
}

# Writes to every file of every group, and attempts to create and remove
# entries, are refused and change nothing.  (A write is a builtin with a
# redirection in braces, which forks nothing and does not end the shell
# when the open is refused.)
t_sysfs_writes() {
	before=$(sysfs_state)
	long=$(printf '%04096d' 7)
	n=0
	for f in $G/*/* $G/*/devices/*; do
		for v in 1 0 locked unmanaged vfio "" "$long"; do
			if { printf '%s' "$v" > "$f"; } 2>/dev/null; then
				fail "writing '${v%"${v#????????}"}' to $f was accepted"; return
			fi
			n=$((n + 1))
		done
	done
	for d in $G/new $G/*/new $G/*/devices/new; do
		if mkdir "$d" 2>/dev/null || { printf '' > "$d"; } 2>/dev/null; then
			fail "created $d"; return
		fi
	done
	for f in $G/*/devices/*; do
		if rm "$f" 2>/dev/null; then fail "removed $f"; return; fi
	done
	[ "$n" -gt 0 ] || { fail "no files under $G"; return; }
	[ "$(sysfs_state)" = "$before" ] || fail "the groups changed"
}

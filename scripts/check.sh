#!/usr/bin/env bash
# make check: every test of the project.  Each step below is one test; the
# last line is "N passed, M failed".  Logs go to build/logs/.
#   check.sh [STEP...]   run only the named steps (see the list at the end)
# Every step runs on the primary base (scripts/lib.sh), and the lts-*
# steps build the LTS and run a part of the tests on it; BASE=NAME (make
# check-lts) runs every step on the base NAME instead, without lts-*.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
mkdir -p build/logs
logs=build/logs
# The kernel tree the tests run on, what its build directories' names end
# in (bs), the LTS, and the prefix of the names of the logs and results of
# a step that runs on the LTS (lp, see use_lts).
read -r ktree bs lts checked < <(bash -c '. scripts/lib.sh && echo "$tree ${build_suffix:--} $lts_base $base_name"') || exit 2
[ "$bs" != - ] || bs=""
lp=""
passed=0
failed=0
reboots=0
failures=()

# step_run NAME FUNCTION: runs FUNCTION with its output in
# build/logs/NAME.txt, and leaves in build/logs/NAME.result its tests
# passed and failed, its exit status, its time and how many of its guests
# were booted a second time (guest_run).  A step that runs several
# tests prints "RESULT: ok NAME" or "RESULT: fail NAME" for each, and each
# counts; any other step counts as one test.
step_run() {
	local name=$1 fn=$2 start=$SECONDS rc=0 ok bad
	"$fn" >"$logs/$name.txt" 2>&1 || rc=1
	ok=$(grep -c '^RESULT: ok ' "$logs/$name.txt")
	bad=$(grep -c '^RESULT: fail ' "$logs/$name.txt")
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		[ $rc -eq 0 ] && ok=1 || bad=1
	elif [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	echo "$ok $bad $rc $((SECONDS - start)) $(grep -c '^REBOOT: ' "$logs/$name.txt")" >"$logs/$name.result"
}

# step_report NAME: adds up and prints the result of a step that has run.
step_report() {
	local name=$1 ok bad rc secs boots
	read -r ok bad rc secs boots <"$logs/$name.result"
	passed=$((passed + ok))
	failed=$((failed + bad))
	reboots=$((reboots + boots))
	local twice=""
	[ "$boots" -eq 0 ] || twice=", a guest booted twice"
	if [ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]; then
		echo "ok $name: $ok passed ($secs s$twice)"
	else
		failures+=("$name")
		echo "FAILED $name: $ok passed, $bad failed ($secs s$twice), from $logs/$name.txt:"
		grep '^RESULT: fail ' "$logs/$name.txt" | sed 's/^/    /'
		tail -n 25 "$logs/$name.txt" | sed 's/^/    /'
	fi
}

# step NAME FUNCTION: runs a step and reports it.
step() {
	echo "== $1"
	rm -f "$logs/$1.result"
	step_run "$1" "$2"
	step_report "$1"
}

# guest_step NAME FUNCTION: runs a guest step in the background, at most
# GUEST_JOBS (2: the machine has two cores, and a guest's tests keep about
# one busy) at a time.  host_step NAME FUNCTION: runs a step that needs no
# guest in the background too, after the host step queued before it and
# at the lowest CPU priority (nice 19), so that the builds and host checks
# take only the time the guests leave idle.  steps_report waits for both
# kinds and reports them in the order they were queued.  A background
# step touches only its own logs and build directories.
guest_jobs=${GUEST_JOBS:-2}
# step_kind STEP: prints how STEP runs (step, host_step or guest_step) and
# its function, t_STEP with "-" as "_"; fails for an unknown step.
step_kind() {
	local how fn=t_${1//-/_}
	case "$1" in
	base|assemble|guest-build) how=step ;;
	kunit-uml|pseries-build|static|config-off|lsisol|checkpatch|git-am|lts-guest-build|lts-kunit-uml) how=host_step ;;
	*) how=guest_step ;;
	esac
	declare -F "$fn" >/dev/null || return 1
	echo "$how $fn"
}
queued=()
guest_pids=()
host_last=""
running_guests() {
	local n=0 p
	for p in "${guest_pids[@]}"; do ! kill -0 "$p" 2>/dev/null || n=$((n + 1)); done
	echo "$n"
}
# wait_result NAME: returns once step NAME has its result.
wait_result() {
	while [ ! -f "$logs/$1.result" ]; do sleep 1; done
}
# after_step NAME: returns once NAME has its result if it is queued.
after_step() {
	local q
	for q in "${queued[@]}"; do
		[ "$q" != "$1" ] || { wait_result "$1"; return; }
	done
}
guest_step() {
	rm -f "$logs/$1.result"
	# The pseries guests boot the kernel of the pseries-build step, the
	# LTS's guests that of lts-guest-build.
	[[ $1 != pseries-* ]] || after_step pseries-build
	[[ $1 != lts-* ]] || after_step lts-guest-build
	while [ "$(running_guests)" -ge "$guest_jobs" ]; do wait -n; done
	echo "== $1"
	step_run "$1" "$2" &
	guest_pids+=($!)
	queued+=("$1")
}
host_step() {
	local prev=$host_last
	rm -f "$logs/$1.result"
	echo "== $1 (in the background)"
	(
		renice -n 19 -p "$BASHPID" >/dev/null
		[ -z "$prev" ] || wait_result "$prev"
		step_run "$1" "$2"
	) &
	queued+=("$1")
	host_last=$1
}
steps_report() {
	local name
	wait
	for name in "${queued[@]}"; do
		[ -f "$logs/$name.result" ] || echo "0 1 1 0 0" >"$logs/$name.result"
		step_report "$name"
	done
	queued=()
	guest_pids=()
	host_last=""
}

# A guest log is clean when the kernel reported no problem of any kind.
bad_kernel_log='WARNING:|BUG:|BUG |Oops|general protection|KASAN:|kmemleak: [0-9]+ new suspected|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|trying to register non-static key|sleeping function called from invalid context|cannot create duplicate filename|Kernel panic|blocked for more than|refcount_t:|ODEBUG:|kobject: .* is not initialized|detected stalls on CPUs'
# Reports that the unmodified kernels make by themselves, each named by a
# signature all of whose lines must appear in the report (one report runs
# from "WARNING: possible circular locking dependency detected" or a
# "cut here" line to the next "</TASK>" or "---[ end trace") and that does
# not mention isolation code; see tests/known-kernel-reports.
known_reports() { # known_reports FILE: the log without known reports
	awk -v sigfile=tests/known-kernel-reports '
	BEGIN { n = 0
		while ((getline line < sigfile) > 0) {
			if (line ~ /^#/ || line == "") { if (cur != "") { sig[++n] = cur; cur = "" } ; continue }
			cur = cur == "" ? line : cur "\n" line
		}
		if (cur != "") sig[++n] = cur
	}
	function flush(   i, j, parts, k, all) {
		if (block == "") return
		for (i = 1; i <= n; i++) {
			k = split(sig[i], parts, "\n"); all = 1
			for (j = 1; j <= k; j++) if (index(block, parts[j]) == 0) all = 0
			if (index(block, "isolation")) all = 0
			if (all) { print "(a known report of the unmodified kernel left out, see tests/known-kernel-reports)"; block = ""; return }
		}
		printf "%s", block; block = ""
	}
	/WARNING: possible circular locking dependency detected|-----------\[ cut here \]-----------/ { flush(); inrep = 1 }
	{ if (inrep) block = block $0 "\n"; else print }
	inrep && /<\/TASK>|---\[ end trace/ { inrep = 0; flush() }
	END { flush() }' "$1"
}

# clean_log TEST FILE [OUT]: fails TEST when FILE holds a kernel report, and
# names the first one in the RESULT line, so that the summary says what it
# was.  When the guest's channel OUT says "ISOTEST-KNOWN-LEAKS: N" (every
# object kmemleak reported was the known leak of tests/guest/iommufd.sh),
# the first console line of kmemleak reporting exactly N new leaks is
# left out.
clean_log() {
	local found known
	known=$(sed -n 's/^ISOTEST-KNOWN-LEAKS: \([0-9]*\)$/\1/p' "${3:-/dev/null}" | head -n 1)
	found=$(known_reports "$2" | awk -v n="$known" '
		!done && n != "" && $0 == "kmemleak: " n " new suspected memory leaks (see /sys/kernel/debug/kmemleak)" {
			done = 1; print "(kmemleak: the " n " objects of the known leak of the unmodified kernel left out, see tests/guest/iommufd.sh)"; next }
		{ print }' | grep -En "$bad_kernel_log") || return 0
	echo "kernel problems reported in $2:"
	echo "$found"
	echo "RESULT: fail $1: kernel log: line ${found%%$'\n'*}"
	return 1
}

# KUnit under UML: every suite of drivers/base/test, the driver core's own
# and the property entry suite with those of the series, and the benchmark
# suite (its figures are in the log; only its match results count).  A
# step in the background: it builds a kernel of its own (build/kunit).
t_kunit_uml() {
	local rc=0 kout=$logs/${lp}kunit-uml.out
	scripts/kunit-uml.sh >"$kout" 2>&1 || rc=1
	cat "$kout"
	# Each case of every suite; the isolation_fault cases skip here (no
	# debugfs to arm fault injection), the guest runs them.
	sed -n "s/^\[[0-9:]*\] \[PASSED\] \([A-Za-z0-9_]*\)\$/RESULT: ok ${lp}kunit-uml.\1/p
		s/^\[[0-9:]*\] \[FAILED\] \([A-Za-z0-9_]*\)\$/RESULT: fail ${lp}kunit-uml.\1/p" "$kout"
	grep -q '\[PASSED\] pe_test_' "$kout" || { echo "RESULT: fail ${lp}kunit-uml: the property entry suite did not run"; rc=1; }
	grep -q '\[PASSED\] root_device_' "$kout" || { echo "RESULT: fail ${lp}kunit-uml: the driver core's suites did not run"; rc=1; }
	grep -q '\[PASSED\] iso_test_' "$kout" || { echo "RESULT: fail ${lp}kunit-uml: the suite did not run"; rc=1; }
	grep -q '\[PASSED\] iso_bench_' "$kout" || { echo "RESULT: fail ${lp}kunit-uml: the benchmark did not run"; rc=1; }
	grep -E '^ *# iso_bench_[a-z_]+: ' "build/kunit$bs/test.log"
	return $rc
}

t_guest_build() { scripts/guest-build.sh; }

# guest_results TEST NAME PREFIX MIN [MATCH]: a RESULT line, named PREFIX
# and the test's name, for each "ISOTEST:" line that guest NAME wrote to its
# tests' channel (NAME.out); fails TEST when one failed, when fewer than MIN
# tests whose names begin with MATCH passed, or when its kernel log
# (NAME.log) holds a kernel report.
guest_results() {
	local test=$lp$1 out=$logs/$lp$2.out prefix=$lp$3 min=$4 match=${5:-} rc=0
	sed -n "s/^ISOTEST: ok - \(.*\)/RESULT: ok $prefix\1/p; s/^ISOTEST: not ok - \(.*\)/RESULT: fail $prefix\1/p" "$out"
	grep -q '^ISOTEST: not ok' "$out" && rc=1
	[ "$(grep -c "^ISOTEST: ok - $match" "$out")" -ge "$min" ] || { echo "RESULT: fail $test: tests missing"; rc=1; }
	clean_log "$test" "$logs/$lp$2.log" "$out" || rc=1
	return $rc
}

# channel_intact NAME: the lines of guest NAME's channel-burst test
# (tests/guest/check.sh) all arrived on its tests' channel, whole and in
# order, while every kernel message of the burst reached its console.
channel_intact() {
	local out=$logs/$1.out log=$logs/$1.log lines msgs got
	lines=$(sed -n 's/^ISOTEST-BURST: 1 of \([0-9]*\), .*/\1/p' "$out")
	msgs=$(sed -n 's/^ISOTEST-BURST-MESSAGES: \([0-9]*\)$/\1/p' "$out")
	got=$(awk -v n="${lines:-0}" '/^ISOTEST-BURST: / {
		if ($0 == "ISOTEST-BURST: " i + 1 " of " n ", a result line that no kernel message may cut") i++
		else bad++ }
		END { print (bad ? -1 : i) }' "$out")
	if [ -z "$lines" ] || [ "$got" != "$lines" ]; then
		echo "RESULT: fail guest.channel-intact: ${got:-0} of ${lines:-?} burst lines arrived whole"
		return 1
	fi
	[ "$(grep -c 'isotest-burst: kernel message [0-9]*, written while' "$log")" = "${msgs:-x}" ] || {
		echo "RESULT: fail guest.channel-intact: the console lacks some of the $msgs burst messages"
		return 1
	}
	echo "RESULT: ok guest.channel-intact: $lines lines whole beside $msgs kernel messages"
}

# kunit_suites: the suites that the guest step must see pass, the driver
# core's own (drivers/base/test) with those of the series.
kunit_suites=(isolation_groups pci_isolation root-device-devm property-entry)

# kunit_parse TEST KTAP: "kunit.py parse" of the KTAP document KTAP, a
# RESULT line named "TEST.CASE" for each case that passed or failed, and
# a failure unless every suite of kunit_suites passed.
kunit_parse() {
	local test=$1 ktap=$2 parsed=${2%.ktap}.parsed rc=0 suite
	"$ktree"/tools/testing/kunit/kunit.py parse "$top/$ktap" >"$parsed" 2>&1 || rc=1
	cat "$parsed"
	sed -n "s/^\[[0-9:]*\] \[PASSED\] \([A-Za-z0-9_]*\)\$/RESULT: ok $test.\1/p
		s/^\[[0-9:]*\] \[FAILED\] \([A-Za-z0-9_]*\)\$/RESULT: fail $test.\1/p" "$parsed"
	for suite in "${kunit_suites[@]}"; do
		grep -q "^\[[0-9:]*\] =* \[PASSED\] $suite =*\$" "$parsed" ||
			{ echo "RESULT: fail $test: the suite $suite did not pass"; rc=1; }
	done
	return $rc
}

# The guest's sysfs tests and the KUnit suites, as modules of the debug
# x86_64 guest kernel: the fault-injection suites case by case, every
# other suite through kunit.py parse; the guest log must be free of any
# kernel report.
t_guest() {
	guest_run guest-check --check || return 1
	local rc=0
	sed -n '/^ISOTEST-KTAP-BEGIN$/,/^ISOTEST-KTAP-END$/{/^ISOTEST-KTAP-/d;p}' \
		"$logs/guest-check.out" >"$logs/guest-check.ktap"
	kunit_parse kunit "$logs/guest-check.ktap" || rc=1
	# The guest's checks, each fault-injection case one of them.
	guest_results guest guest-check guest. 32 || rc=1
	channel_intact guest-check || rc=1
	[ "$(grep -c '^ISOTEST: ok - fault\.' "$logs/guest-check.out")" -ge 10 ] ||
		{ echo "RESULT: fail guest: fault-injection cases missing"; rc=1; }
	return $rc
}

# guest_run NAME ARGS...: scripts/guest-run.sh ARGS --name NAME.  A guest
# that stops making progress before its end (no "ISOTEST-DONE" on its
# channel, no kernel report in its log) is booted once more, prints a
# "REBOOT:" line that the summary counts, and its logs are kept as
# NAME.hung.log and NAME.hung.out.  Such stops were seen in about one guest
# in fifteen in earlier runs, always in e1000e's probe right after a
# rescan or hot-add, with the guest idle and not even the hung task
# detector running: its timers stop.  qemu-run.py then writes the vCPUs'
# state (query-cpus-fast, info registers) into the log and sends an NMI,
# on which the guest prints every stack and its timers.  The same stop can
# pass: RCU then reports that its kthread's timer never fired on a CPU
# ("timer wakeup didn't happen", "Possible timer handling issue") and a
# stall, and kmemleak, scanning while no grace period ends, reports as
# leaks the hundreds of objects queued for an RCU free (creds, pids,
# dentries of exited tasks); such a guest is booted once more too.  A guest
# that stops twice fails, and any other RCU stall is a kernel report.
timers_stopped() { grep -q "timer wakeup didn't happen" "$1"; }
guest_run() {
	local name=$lp$1 log=$logs/$lp$1.log out=$logs/$lp$1.out
	shift
	if scripts/guest-run.sh "$@" --name "$name"; then
		timers_stopped "$log" || return 0
	elif grep -q '^ISOTEST-DONE' "$out"; then
		timers_stopped "$log" || return 1
	else
		# A stalled guest's report is the one its NMI asked for.
		timers_stopped "$log" || grep -q '^ISOTEST-STALL' "$log" ||
			! known_reports "$log" | grep -Eq "$bad_kernel_log" || return 1
	fi
	mv "$log" "$logs/$name.hung.log"
	mv "$out" "$logs/$name.hung.out"
	echo "REBOOT: guest $name stopped its timers, see $logs/$name.hung.log; booting it again"
	scripts/guest-run.sh "$@" --name "$name"
}

# The IOMMUs whose isolation providers are tested, as guest-run.sh names
# them: VT-d, AMD-Vi and virtio-iommu, on one guest kernel.
iommus=(intel amd virtio)

# The provider of one IOMMU in one topology of tests/topologies.sh: its
# groups must be the topology's expected ones (the same for every IOMMU),
# never finer than the kernel's iommu groups; iommu_ids must follow the
# topology.
groups_topology() { # groups_topology IOMMU TOPOLOGY
	local rc=0
	guest_run "$1-$2" --groups --iommu "$1" --topology "$2" || rc=1
	guest_results "$1-$2" "$1-$2" "$1-$2." 12 || rc=1
	return $rc
}
# Ports declared by the administrator, on topology_override under one
# IOMMU (tests/guest/override.sh): the groups the declarations allow, their
# reasons and overrides, the boot messages, lsisol, and VFIO taking the two
# sides of a switch without ACS into two containers.
override_iommu() { # override_iommu IOMMU
	local rc=0
	guest_run "$1-override" --override --iommu "$1" --topology override || rc=1
	guest_results "$1-override" "$1-override" "$1-override." 11 || rc=1
	return $rc
}
# Debian's QEMU inside a guest as a real VFIO client, under VT-d on
# topology_vfio (tests/guest/qemu-vfio.sh).
t_qemu_vfio() {
	local rc=0
	guest_run qemu-vfio --qemu --iommu intel --topology vfio || rc=1
	guest_results qemu-vfio qemu-vfio intel. 3 qemu- || rc=1
	return $rc
}
# VFIO as isolation manager, on topology_vfio under one IOMMU: the checks
# of tests/guest/vfio-isolation.c, each a test.
vfio_iommu() { # vfio_iommu IOMMU
	local rc=0
	guest_run "vfio-$1" --vfio --iommu "$1" --topology vfio || rc=1
	guest_results "vfio-$1" "vfio-$1" "$1." 32 vfio- || rc=1
	return $rc
}

# Concurrency stress under VT-d on topology_vfio (tests/guest/stress.sh),
# for STRESS_SECONDS (60; make stress runs it longer): each of its checks
# is a test, its operation counts are in the log ("ISOTEST-STRESS").
t_stress_intel() {
	local rc=0
	guest_run stress-intel --stress --iommu intel --topology vfio || rc=1
	guest_results stress-intel stress-intel intel. 5 stress- || rc=1
	grep '^ISOTEST-STRESS' "$logs/stress-intel.out"
	return $rc
}

topologies=$(sed -n 's/^topology_\([a-z0-9_]*\)() {$/\1/p' tests/topologies.sh | grep -vx 'default\|merge\|vfio\|override\|grouping[0-9]*\|pseries')
for i in "${iommus[@]}"; do
	for t in $topologies; do
		eval "t_${i}_$t() { groups_topology $i $t; }"
	done
	eval "t_vfio_$i() { vfio_iommu $i; }"
	eval "t_${i}_override() { override_iommu $i; }"
done

# pseries, whose partitionable endpoints (PHBs) are its isolation groups:
# the cross-built ppc64le guest (scripts/pseries-build.sh); on
# topology_pseries its provider's groups, checked as every IOMMU's are
# (tests/guest/groups.sh: the expected groups, equal to the kernel's iommu
# groups, reasons, links, iommu_ids, lsisol), and VFIO as manager through
# the sPAPR TCE backend (tests/guest/vfio-spapr.c).
t_pseries_build() { scripts/pseries-build.sh; }
t_pseries_groups() {
	local rc=0
	guest_run pseries-groups --groups --iommu pseries --topology pseries || rc=1
	guest_results pseries-groups pseries-groups pseries. 12 || rc=1
	return $rc
}
t_pseries_vfio() {
	local rc=0
	guest_run pseries-vfio --spapr --iommu pseries --topology pseries || rc=1
	guest_results pseries-vfio pseries-vfio pseries. 13 vfio- || rc=1
	return $rc
}

# The merging benchmark (tests/guest/bench.sh), briefly: 16 MiB mapped
# (make bench maps 256); its checks are tests, its figures only printed.
t_bench_merge() {
	local rc=0
	BENCH_MIB=16 guest_run bench-merge --bench --iommu intel --topology merge || rc=1
	guest_results bench-merge bench-merge "" 5 bench- || rc=1
	grep '^ISOTEST-BENCH' "$logs/bench-merge.out"
	return $rc
}

# The grouping benchmark (tests/guest/grouping.sh) on a topology of 64 PCI
# devices (make bench: 32 to 256); its figures are printed, never checked.
t_bench_grouping() {
	local rc=0
	guest_run bench-grouping --grouping --topology grouping64 || rc=1
	guest_results bench-grouping bench-grouping "" 2 grouping- || rc=1
	grep '^ISOTEST-GROUPING' "$logs/bench-grouping.out"
	return $rc
}

# iommufd's own selftests against its mock IOMMU, each case a test, and
# kmemleak after them (tests/guest/iommufd.sh).
t_iommufd() {
	local rc=0
	guest_run iommufd --iommufd || rc=1
	guest_results iommufd iommufd "" 198 iommufd || rc=1
	return $rc
}

# The machine without a VT-d IOMMU (no DMAR table): nothing registers, no
# group, drivers bind as usual.
t_nodmar() {
	local rc=0
	guest_run nodmar --nodmar || rc=1
	guest_results nodmar nodmar "" 6 nodmar- || rc=1
	return $rc
}

# New files, and the existing ones that the series changes most (the VIOT
# and virtio-iommu): kernel-doc, W=1 and sparse clean.
t_static() {
	local rc=0 files=(drivers/base/isolation.c include/linux/isolation.h
		drivers/iommu/intel/isolation.c drivers/base/test/isolation-test.c
		drivers/base/test/isolation-test-provider.c drivers/vfio/isolation.c
		drivers/base/test/isolation-bench.c drivers/pci/isolation.c
		drivers/pci/isolation-test.c include/linux/pci-isolation.h
		drivers/iommu/amd/isolation.c drivers/acpi/viot.c
		drivers/iommu/virtio-iommu.c include/linux/acpi_viot.h)
	(cd "$ktree" && scripts/kernel-doc -none -Wall "${files[@]}") 2>&1 | tee "$logs/kernel-doc.txt"
	[ -s "$logs/kernel-doc.txt" ] && { echo "kernel-doc warnings"; rc=1; }
	local objs=(drivers/base/isolation.o drivers/base/test/isolation-test.o
		drivers/base/test/isolation-test-provider.o
		drivers/base/test/isolation-bench.o
		drivers/iommu/intel/isolation.o drivers/vfio/isolation.o
		drivers/pci/isolation.o drivers/pci/isolation-test.o
		drivers/iommu/amd/isolation.o drivers/iommu/virtio-iommu.o
		drivers/acpi/viot.o)
	make -C "$ktree" O="$top/build/guest$bs" ARCH=x86_64 "CC=ccache gcc" -s W=1 C=2 \
		"${objs[@]}" 2>&1 | tee "$logs/w1-sparse.txt"
	# 7.3's Makefile runs sparse only if it knows __typeof_unqual__
	# (scripts/checker-valid.sh), which Debian 12's sparse 0.6.4 does not:
	# there sparse runs on the LTS's tree, built by lts-guest-build before
	# this step, whose copies of these files are the same code.
	if grep -q 'is not available or not up to date' "$logs/w1-sparse.txt"; then
		if [ "$checked" != "$lts" ] && [ -f "$top/build/guest-$lts/.config" ]; then
			echo "sparse: too old for $checked's checker test; sparse on $lts"
			make -C "$lts_tree" O="$top/build/guest-$lts" ARCH=x86_64 "CC=ccache gcc" -s C=2 \
				"${objs[@]}" 2>&1 | tee -a "$logs/w1-sparse.txt"
		fi
		if [ "$(grep -c 'is not available or not up to date' "$logs/w1-sparse.txt")" != 1 ] ||
		   [ "$checked" = "$lts" ] || [ ! -f "$top/build/guest-$lts/.config" ]; then
			echo "sparse did not run"; rc=1
		fi
	fi
	# The pseries provider, in the cross-built pseries tree.
	(cd "$ktree" && scripts/kernel-doc -none -Wall arch/powerpc/platforms/pseries/iommu.c) 2>&1 |
		tee -a "$logs/kernel-doc.txt"
	# W=1 only on 7.3 (sparse as above); make check-lts runs sparse on it.
	make -C "$ktree" O="$top/build/pseries$bs" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
		"CC=ccache powerpc64le-linux-gnu-gcc" -s W=1 C=2 \
		arch/powerpc/platforms/pseries/iommu.o 2>&1 |
		grep -v 'is not available or not up to date' | tee -a "$logs/w1-sparse.txt"
	grep -E 'warning|error' "$logs/w1-sparse.txt" && { echo "W=1/sparse warnings"; rc=1; }
	[ -s "$logs/kernel-doc.txt" ] && { echo "kernel-doc warnings"; rc=1; }
	return $rc
}

# With CONFIG_ISOLATION_GROUPS=n the touched directories still build without
# a warning.  (Not with W=1: unmodified kernel code in these directories has
# W=1 warnings of its own; the new files are W=1-checked by "static".)  The
# guest config without its debugging part keeps it quick.
t_config_off() {
	local obj=$top/build/noiso$bs kmake
	kmake=(make -C "$ktree" O="$obj" ARCH=x86_64 "CC=ccache gcc" -s -j"$(nproc)")
	mkdir -p "$obj"
	sed -e '/^# Debugging/,$d' -e '/ISOLATION\|KUNIT/d' configs/guest.config > "$obj/off.config"
	echo "# CONFIG_ISOLATION_GROUPS is not set" >> "$obj/off.config"
	# Work out the config aside, so that an unchanged one keeps the build.
	local cfg=$top/build/noiso$bs-cfg
	mkdir -p "$cfg"
	make -C "$ktree" O="$cfg" ARCH=x86_64 -s tinyconfig >/dev/null
	"$ktree"/scripts/kconfig/merge_config.sh -m -O "$cfg" "$cfg/.config" "$obj/off.config" >/dev/null
	make -C "$ktree" O="$cfg" ARCH=x86_64 -s olddefconfig
	cmp -s "$cfg/.config" "$obj/.config" || cp "$cfg/.config" "$obj/.config"
	"${kmake[@]}" olddefconfig
	grep -q '^CONFIG_INTEL_IOMMU=y' "$obj/.config" || { echo "INTEL_IOMMU is off"; return 1; }
	! grep -q '^CONFIG_ISOLATION_GROUPS=y' "$obj/.config" || { echo "ISOLATION_GROUPS is on"; return 1; }
	grep -q '^CONFIG_VFIO=y' "$obj/.config" || { echo "VFIO is off"; return 1; }
	"${kmake[@]}" drivers/base/ drivers/iommu/ drivers/pci/ drivers/vfio/ drivers/acpi/viot.o 2>&1 | tee "$logs/config-off-build.txt"
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	! grep -E 'warning|error' "$logs/config-off-build.txt"
}

# lsisol against a fake sysfs tree, then, built with ASan and UBSan,
# against a generated corpus of malformed trees.
t_lsisol() {
	local rc=0
	tests/lsisol/run.sh || rc=1
	tests/lsisol/fuzz.py || rc=1
	return $rc
}

# The base: does the series assemble on what Debian's archive serves today
# (scripts/check-base.sh)?  First, so that a point release that breaks it
# shows in seconds.  Then assembly itself on other versions and bad input
# (tests/assemble/run.sh).
# each_base NAME COMMAND...: COMMAND for every base, with BASE set to it;
# one result "NAME.BASE" each.
each_base() {
	local name=$1 b rc=0
	shift
	for b in "${bases[@]}"; do
		echo "--- $name $b"
		if BASE=$b "$@"; then
			echo "RESULT: ok $name.$b"
		else
			echo "RESULT: fail $name.$b"
			rc=1
		fi
	done
	return $rc
}
bases=($(bash -c '. scripts/lib.sh && echo "${all_bases[*]}"')) || exit 2
t_base() { each_base base scripts/check-base.sh; }
t_assemble() { tests/assemble/run.sh; }

t_checkpatch() { each_base checkpatch scripts/series.sh --check; }
t_git_am() { each_base git-am scripts/series.sh --verify-am; }

iommu_steps=()
for i in "${iommus[@]}"; do
	for t in $topologies; do iommu_steps+=("$i-$t"); done
	iommu_steps+=("$i-override" "vfio-$i")
done
# The LTS beside the primary (not in make check-lts, which runs every step
# on it): its guest kernel and initramfs (build/guest-NAME), its KUnit
# suites under UML, the switches topology under each IOMMU and VFIO under
# VT-d.  Each is the step of the same name without "lts-", run on the LTS
# with "lts-" before the names of its logs and results.
lts_of=(guest-build kunit-uml intel-switches amd-switches virtio-switches intel-override vfio-intel)
lts_tree=$(BASE=$lts bash -c '. scripts/lib.sh && echo "$tree"') || exit 2
use_lts() { export BASE=$lts; ktree=$lts_tree; bs=-$lts; lp=lts-; }
lts_steps=()
if [ "$checked" != "$lts" ]; then
	for s in "${lts_of[@]}"; do
		eval "t_lts_${s//-/_}() ( use_lts; t_${s//-/_}; )"
		lts_steps+=("lts-$s")
	done
fi
# The builds and host checks that no guest needs go to the background
# first, the LTS's guest kernel first of them, then the guests, longest
# first, and the LTS's and pseries guests last, as they wait for their
# kernels.
all_steps=(base assemble guest-build "${lts_steps[@]:0:1}" pseries-build kunit-uml "${lts_steps[@]:1:1}"
	static config-off lsisol checkpatch git-am
	iommufd guest "${iommu_steps[@]}" qemu-vfio stress-intel bench-merge bench-grouping nodmar
	"${lts_steps[@]:2}" pseries-groups pseries-vfio)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
	kind=$(step_kind "$s") || { echo "unknown step $s (steps: ${all_steps[*]})"; exit 2; }
	read -r how fn <<<"$kind"
	# The steps in the background are reported before any other step runs.
	[ "$how" != step ] || steps_report
	"$how" "$s" "$fn"
done
steps_report
[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $reboots guests booted twice"
[ $failed -eq 0 ]

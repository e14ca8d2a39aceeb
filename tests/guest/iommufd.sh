#!/bin/sh
# iommufd's own selftests (tools/testing/selftests/iommu, built by
# scripts/guest-build.sh) on the kernel with the series: iommufd against
# its mock IOMMU, then every one of its fail_nth tests.  Each selftest case
# is one "ISOTEST" line; a case the harness skips fails, since nothing here
# should need skipping, except the cases that skip themselves by design for
# the variant without a vIOMMU (7.3's iommufd_viommu.no_viommu), printed as
# "ISOTEST-SKIP" lines.  Then the kernel must have leaked nothing but the
# known leak of t_kmemleak_iommufd.
. /tests/lib.sh

# selftest PROGRAM: runs PROGRAM, its KTAP on the console, and turns each
# "ok N NAME" and "not ok N NAME" into an ISOTEST line.
selftest() {
	out=/tmp/$1.tap
	/bin/$1 >"$out" 2>&1
	rc=$?
	cat "$out"
	# A failure's reason is the harness's last message before it (an
	# assertion's "file:line:test:Expected ...", or "terminated by
	# timeout").
	awk -v p="$1" '
		/^#  RUN / { msg = "" }
		/^# / && !/^#  RUN / && !/^# +(OK|FAIL) / { msg = substr($0, 3) }
		/^ok [0-9]+ [^ #]+$/ { print "ISOTEST: ok - " p "." $3 }
		/^ok [0-9]+ [^ #]+ *# SKIP/ { r = $0; sub(/.*# SKIP */, "", r)
			if (r == "Skipping test for variant no_viommu")
				print "ISOTEST-SKIP: " p "." $3 ": " r
			else
				print "ISOTEST: not ok - " p "." $3 ": skipped: " r }
		/^not ok [0-9]+ / { print "ISOTEST: not ok - " p "." $4 ": " (msg == "" ? "see the log" : msg) }' "$out"
	grep -q '^# Totals: pass:[1-9][0-9]* fail:0 ' "$out" ||
		nok "$1" "exit status $rc, no passing totals"
}
# t_kmemleak, but for one leak of unmodified 7.3 that iommufd_fail_nth
# provokes: iommu_mock_device_add() returns iommu_fwspec_init()'s error
# without freeing the dev_iommu that dev_iommu_get() allocated before the
# fwspec's allocation failed.  Objects allocated there, and only those,
# are that leak; their number goes to "ISOTEST-KNOWN-LEAKS" (the host then
# leaves kmemleak's console line of that number out) and they are cleared.
# Any other object fails.
t_kmemleak_iommufd() {
	k=/sys/kernel/debug/kmemleak
	[ -e $k ] || { fail "no $k"; return; }
	echo scan > $k; sleep 1; echo scan > $k
	r=$(cat $k)
	[ -n "$r" ] || return 0
	echo "$r"
	set -- $(echo "$r" | awk '
		function done() { if (obj) { n++; known += k } }
		/^unreferenced object/ { done(); obj = 1; st = 0; k = 0; next }
		{ f = $1; sub(/\+.*/, "", f)
		  if (f == "dev_iommu_get") st = 1
		  else if (st == 1 && f == "iommu_fwspec_init") st = 2
		  else if (st == 2 && f == "iommu_mock_device_add") { k = 1; st = 3 }
		  else if (st == 1 || st == 2) st = 0 }
		END { done(); print n + 0, known + 0 }')
	if [ "$1" -gt 0 ] && [ "$1" = "$2" ]; then
		echo "ISOTEST-KNOWN-LEAKS: $1"
		echo clear > $k
	else
		fail "kmemleak reports leaks ($2 of $1 the known leak of iommu_mock_device_add)"
	fi
}

# Hugetlb pages for the tests that map them (128 MiB at most at once).
echo 96 > /proc/sys/vm/nr_hugepages
selftest iommufd
selftest iommufd_fail_nth
check iommufd-kmemleak t_kmemleak_iommufd

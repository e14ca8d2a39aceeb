#!/bin/sh
# iommufd's own selftests (tools/testing/selftests/iommu, built by
# scripts/guest-build.sh) on the kernel with the series: iommufd against
# its mock IOMMU, then every one of its fail_nth tests.  Each selftest case
# is one "ISOTEST" line; a case the harness skips fails, since nothing here
# should need skipping.  Then the kernel must have leaked nothing.
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
			print "ISOTEST: not ok - " p "." $3 ": skipped: " r }
		/^not ok [0-9]+ / { print "ISOTEST: not ok - " p "." $4 ": " (msg == "" ? "see the log" : msg) }' "$out"
	grep -q '^# Totals: pass:[1-9][0-9]* fail:0 ' "$out" ||
		nok "$1" "exit status $rc, no passing totals"
}
# Hugetlb pages for the tests that map them (128 MiB at most at once).
echo 96 > /proc/sys/vm/nr_hugepages
selftest iommufd
selftest iommufd_fail_nth
check iommufd-kmemleak t_kmemleak

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
	sed -n "s/^ok [0-9]* \([^ #]*\)\$/ISOTEST: ok - $1.\1/p
		s/^ok [0-9]* \([^ #]*\) *# SKIP\(.*\)/ISOTEST: not ok - $1.\1: skipped:\2/p
		s/^not ok [0-9]* \([^ #]*\).*/ISOTEST: not ok - $1.\1: see the log/p" "$out"
	grep -q '^# Totals: pass:[1-9][0-9]* fail:0 ' "$out" ||
		nok "$1" "exit status $rc, no passing totals"
}
# Hugetlb pages for the tests that map them (128 MiB at most at once).
echo 96 > /proc/sys/vm/nr_hugepages
selftest iommufd
selftest iommufd_fail_nth
check iommufd-kmemleak t_kmemleak

#!/bin/bash
# Host test of scripts/assemble.sh: what it does when Debian's kernel source
# is not the version the series is rebased on, and with bad input, on the
# 6.12 base (its cases are made from 6.12's point releases), whose own
# diffs (patches/6.12/) take the place of the primary's for their files.
# Runs the scripts of a copy of the repository (build/assemble-test) whose
# build/linux-6.12 is the real, assembled one, and checks after every case
# that the tree's branch, tags, HEAD and files are as they were.  Prints one
# "RESULT: ok assemble.<name>" or "RESULT: fail assemble.<name>: why" line
# per check; exits non-zero if any check failed.

cd "$(dirname "$0")/../.." || exit 1
top=$PWD
export BASE=6.12
. scripts/lib.sh

failed=0
ok() { echo "RESULT: ok assemble.$1"; }
fail() { echo "RESULT: fail assemble.$1: $2"; failed=1; }

[ -d "$tree/.git" ] || { fail setup "$tree is not assembled (make tree)"; exit 1; }
copy=$top/build/assemble-test
rm -rf "$copy"
trap 'rm -rf "$copy"' EXIT

# fresh: a new copy of the repository's inputs and scripts.
fresh() {
	rm -rf "$copy"
	mkdir -p "$copy/build"
	cp -a series bases patches overlay scripts "$copy/"
	ln -s "$top/$tree" "$copy/$tree"
	[ ! -d build/debs ] || ln -s "$top/build/debs" "$copy/build/debs"
}

# state: what a failed or equal assembly must leave as it was.
state() {
	git -C "$tree" for-each-ref --format='%(refname) %(objectname)' refs/heads/isolation refs/tags/baseline
	git -C "$tree" rev-parse HEAD
	git -C "$tree" symbolic-ref HEAD
	git -C "$tree" status --porcelain --untracked-files=no
	cat "$tree/.git/debian-version"
}
before=$(state)
unchanged() { [ "$(state)" = "$before" ]; }

# run NAME ARGS...: the copy's assemble.sh; output in $out, status in $rc.
run() {
	local name=$1
	shift
	rc=0
	out=$(cd "$copy" && env "$@" scripts/assemble.sh 2>&1) || rc=$?
	echo "--- $name"
	grep -v '^  [0-9]' <<<"$out"
}

# expect_error NAME PATTERN: assembly failed with one error line matching
# PATTERN and left the tree alone.
expect_error() {
	local errs
	errs=$(grep -c 'assemble.sh: \|^series' <<<"$out")
	if [ "$rc" = 0 ]; then
		fail "$1" "assembly succeeded"
	elif ! grep -Eq "$2" <<<"$out"; then
		fail "$1" "no error matching '$2'"
	elif [ "$errs" != 1 ]; then
		fail "$1" "$errs error lines, not one"
	elif ! unchanged; then
		fail "$1" "$tree changed"
	else
		ok "$1"
	fi
}

# --- The version the series is rebased on: exact, no warning. ---
fresh
run exact
if [ "$rc" = 0 ] && ! grep -q WARNING <<<"$out" && unchanged; then ok exact; else fail exact "status $rc or a warning or a change"; fi

# --- A point release: the series last rebased on 6.12.117, found 6.12.118. ---
# 0007 as it was on 6.12.117 (6.12.118 changed the line before
# iommu_device_register() in viommu_probe() and moved viommu_remove() down
# two lines): its pre-image comes from 6.12.117's package, downloaded, and
# the hunk is merged in three ways; the result is the series on 6.12.118.
old=6.12.117-1~deb12u1
if [ "$base_rebased" != 6.12.118-1~deb12u1 ]; then
	fail three-way "made for a series rebased on 6.12.118, not $base_rebased: update this case"
elif ! apt-cache madison "$base_package" | grep -q " $old "; then
	fail three-way "the archive no longer serves $base_package $old, this case's old version"
else
	fresh
	sed -i "s/^rebased[[:space:]].*/rebased $old/" "$copy/bases/6.12"
	d=$copy/patches/6.12/0007-iommu-virtio-provide-isolation-groups.diff
	sed -i -e 's/^index [0-9a-f]*\.\./index b85ce6310ddbdaa6431e8e148ec25c8ac8a8c7f0../' \
		-e 's/^ \t\tgoto err_reset_vdev;$/ \t\tgoto err_free_vqs;/' \
		-e 's/^@@ -1220,6 +1304,7 @@ static void viommu_remove/@@ -1218,6 +1302,7 @@ static void viommu_remove/' "$d"
	run three-way
	if [ "$rc" != 0 ]; then
		fail three-way "assembly with $old's pre-images failed"
	elif ! grep -q "WARNING: the series was last rebased on $base_package $old, but .* is $base_rebased" <<<"$out"; then
		fail three-way "no warning naming both versions"
	elif ! grep -q "assemble:   patches/6.12/0007-iommu-virtio-provide-isolation-groups.diff: drivers/iommu/virtio-iommu.c: merged in three ways with the pre-image of $old" <<<"$out"; then
		fail three-way "the warning does not name 0007 and virtio-iommu.c"
	elif ! unchanged; then
		fail three-way "the result differs from the series rebased on $base_rebased"
	else
		ok three-way
	fi
fi

# No pre-images to be had (a version the archive never served): patch(1)
# with fuzz, here on a hunk whose first context line no longer matches.
# patch(1) writes only the changed lines, so the tree is the same.
fresh
sed -i "s/^rebased[[:space:]].*/rebased 0.0.1-1/" "$copy/bases/6.12"
d=$copy/patches/0001-driver-core-add-isolation-groups.diff
n=$(grep -n -m1 '^@@ ' "$d" | cut -d: -f1)
sed -i "$((n + 1))s/^ .*/ changed by a point release/" "$d"
run fuzz
if [ "$rc" != 0 ]; then
	fail fuzz "assembly with patch --fuzz failed"
elif ! grep -Eq 'assemble:   patches/0001-driver-core-add-isolation-groups.diff: MAINTAINERS: Hunk #1 succeeded at [0-9]+ with fuzz 1( \(offset -?[0-9]+ lines?\))? \(patch --fuzz=2\)' <<<"$out"; then
	fail fuzz "the warning does not name MAINTAINERS and its fuzz"
elif ! unchanged; then
	fail fuzz "the tree differs"
else
	ok fuzz
fi

# --- A hunk that applies in no way: the patch, the file and the hunk. ---
fresh
d=$copy/patches/6.12/0007-iommu-virtio-provide-isolation-groups.diff
sed -i 's/^ \tiommu_device_register(&viommu->iommu, &viommu_ops, parent_dev);$/ \tiommu_device_register(\&viommu->iommu, \&no_such_ops, parent_dev);/' "$d"
run broken-hunk
expect_error broken-hunk "patches/6.12/0007-iommu-virtio-provide-isolation-groups.diff does not apply to $base_package .*: drivers/iommu/virtio-iommu.c: Hunk #[0-9]+ FAILED at [0-9]+; .*make refresh"

# --- The primary's diffs and the base's own: every file either changes is
# changed in the tree, and without its own diff 0004 does not apply to
# 6.12 (mainline's intel/Makefile has no "ifdef CONFIG_INTEL_IOMMU"). ---
changed=$(git -C "$tree" diff --name-only baseline isolation)
missing=$(for d in patches/*.diff patches/6.12/*.diff; do diff_files "$d"; done | sort -u |
	grep -vxF -f <(printf '%s\n' "$changed") || true)
if [ -z "$missing" ]; then ok every-file; else fail every-file "unchanged in $tree: $(echo $missing)"; fi
fresh
rm "$copy/patches/6.12/0004-iommu-vt-d-provide-isolation-groups.diff"
run no-own-diff
expect_error no-own-diff "patches/0004-iommu-vt-d-provide-isolation-groups.diff does not apply to $base_package .*drivers/iommu/intel/Makefile: Hunk #1 FAILED"

# --- Bad input. ---
fresh
mkdir -p "$copy/patches/9.9"
cp "$copy/patches/0004-iommu-vt-d-provide-isolation-groups.diff" "$copy/patches/9.9/"
run unknown-base
expect_error unknown-base "series: patches/9.9/0004-iommu-vt-d-provide-isolation-groups.diff is in no other base's directory"

fresh
sed -i 's|^\tdrivers/pci/isolation.c$|&\n\tdrivers/pci/no-such-file.c|' "$copy/series"
run missing-file
expect_error missing-file "series:[0-9]+: overlay/drivers/pci/no-such-file.c does not exist"

fresh
printf 'This is not a patch.\n' >"$copy/patches/0004-iommu-vt-d-provide-isolation-groups.diff"
run not-a-patch
expect_error not-a-patch "patches/0004-iommu-vt-d-provide-isolation-groups.diff is not a patch"

fresh
mkdir -p "$copy/junk/linux"
echo 'not a kernel' >"$copy/junk/linux/README"
tar -cJf "$copy/junk.tar.xz" -C "$copy/junk" linux
run not-a-kernel TARBALL="$copy/junk.tar.xz" TARBALL_VERSION=9.9.9-1
expect_error not-a-kernel "junk.tar.xz is not a kernel source tree"

fresh
head -c 4096 /dev/urandom >"$copy/junk.tar.xz"
run not-a-tarball TARBALL="$copy/junk.tar.xz" TARBALL_VERSION=9.9.9-1
expect_error not-a-tarball "junk.tar.xz cannot be unpacked"

# The first assembly of all, with a bad tarball, leaves no tree behind.
fresh
rm "$copy/$tree"
head -c 4096 /dev/urandom >"$copy/junk.tar.xz"
run no-tree TARBALL="$copy/junk.tar.xz" TARBALL_VERSION=9.9.9-1
if [ "$rc" != 0 ] && ! [ -e "$copy/$tree" ] && ! [ -e "$copy/$tree.tmp" ] && unchanged; then
	ok no-tree
else
	fail no-tree "status $rc, or a tree was left in the copy"
fi

# The real assembly again, so that its cache is its own.
scripts/assemble.sh >/dev/null 2>&1 && unchanged && ok reassemble || fail reassemble "$tree changed"
exit $failed

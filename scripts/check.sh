#!/usr/bin/env bash
# make check: every test of the project.  Each step below is one test; the
# last line is "N passed, M failed".  Logs go to build/logs/.
#   check.sh [STEP...]   run only the named steps (see the list at the end)
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
export CCACHE_DIR=${CCACHE_DIR:-$top/build/ccache}
mkdir -p build/logs
logs=build/logs
passed=0
failed=0
failures=()

step() { # step NAME FUNCTION: runs FUNCTION, output to build/logs/NAME.txt
	local name=$1 fn=$2 start=$SECONDS
	echo "== $name"
	if "$fn" >"$logs/$name.txt" 2>&1; then
		passed=$((passed + 1))
		echo "ok $name ($((SECONDS - start)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "FAILED $name ($((SECONDS - start)) s), last lines of $logs/$name.txt:"
		tail -n 25 "$logs/$name.txt" | sed 's/^/    /'
	fi
}

# A guest log is clean when the kernel reported no problem of any kind.
bad_kernel_log='WARNING:|BUG:|BUG |Oops|general protection|KASAN:|kmemleak: [0-9]+ new suspected|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|trying to register non-static key|sleeping function called from invalid context|cannot create duplicate filename|Kernel panic|refcount_t:|ODEBUG:|kobject: .* is not initialized'
clean_log() { # clean_log FILE
	if grep -En "$bad_kernel_log" "$1"; then
		echo "kernel problems reported in $1"
		return 1
	fi
}

# KUnit under UML, with the driver core's own .kunitconfig.
t_kunit_uml() {
	(cd build/linux && ./tools/testing/kunit/kunit.py run \
		--kunitconfig=drivers/base/test --build_dir="$top/build/kunit" \
		--jobs="$(nproc)" --make_options "CC=ccache gcc") || return 1
}

t_guest_build() { scripts/guest-build.sh; }

# The KUnit suite again, built into the debug x86_64 guest kernel, and the
# guest's sysfs tests; the guest log must be free of any kernel report.
t_guest() {
	scripts/guest-run.sh --check --name guest-check || return 1
	local log=$logs/guest-check.log
	clean_log "$log" || return 1
	grep -E '^ISOTEST: ' "$log"
	grep -q '# isolation_groups: pass:[1-9][0-9]* fail:0 skip:0 total:' "$log" ||
		{ echo "KUnit suite isolation_groups did not pass in the guest"; grep -E 'isolation_groups|not ok' "$log"; return 1; }
	grep -q '^ISOTEST: not ok' "$log" && return 1
	[ "$(grep -c '^ISOTEST: ok' "$log")" -ge 16 ] || { echo "guest tests missing"; return 1; }
}

# New files: kernel-doc, W=1 and sparse clean.
t_static() {
	local rc=0 files=(drivers/base/isolation.c include/linux/isolation.h)
	(cd build/linux && scripts/kernel-doc -none -Wall "${files[@]}") 2>&1 | tee "$logs/kernel-doc.txt"
	[ -s "$logs/kernel-doc.txt" ] && { echo "kernel-doc warnings"; rc=1; }
	make -C build/linux O="$top/build/guest" ARCH=x86_64 "CC=ccache gcc" -s W=1 C=2 \
		drivers/base/isolation.o drivers/base/test/isolation-test.o \
		drivers/base/test/isolation-test-provider.o 2>&1 | tee "$logs/w1-sparse.txt"
	grep -E 'warning|error' "$logs/w1-sparse.txt" && { echo "W=1/sparse warnings"; rc=1; }
	return $rc
}

# With CONFIG_ISOLATION_GROUPS=n the touched directories still build.
t_config_off() {
	local obj=$top/build/noiso
	mkdir -p "$obj"
	sed -e 's/^CONFIG_ISOLATION_GROUPS=y/# CONFIG_ISOLATION_GROUPS is not set/' \
		-e '/ISOLATION_KUNIT_TEST\|ISOLATION_TEST_PROVIDER/d' build/guest/.config > "$obj/.config.new"
	cmp -s "$obj/.config.new" "$obj/.config" || cp "$obj/.config.new" "$obj/.config"
	make -C build/linux O="$obj" ARCH=x86_64 "CC=ccache gcc" -s -j"$(nproc)" olddefconfig
	! grep -q '^CONFIG_ISOLATION_GROUPS=y' "$obj/.config" || return 1
	make -C build/linux O="$obj" ARCH=x86_64 "CC=ccache gcc" -s -j"$(nproc)" W=1 \
		drivers/base/ drivers/iommu/ 2>&1 | tee "$logs/config-off-build.txt"
	! grep -E 'warning|error' "$logs/config-off-build.txt"
}

t_checkpatch() { scripts/series.sh --check; }
t_git_am() { scripts/series.sh --verify-am; }

all_steps=(kunit-uml guest-build guest static config-off checkpatch git-am)
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
	case "$s" in
	kunit-uml) step kunit-uml t_kunit_uml ;;
	guest-build) step guest-build t_guest_build ;;
	guest) step guest t_guest ;;
	static) step static t_static ;;
	config-off) step config-off t_config_off ;;
	checkpatch) step checkpatch t_checkpatch ;;
	git-am) step git-am t_git_am ;;
	*) echo "unknown step $s (steps: ${all_steps[*]})"; exit 2 ;;
	esac
done
[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

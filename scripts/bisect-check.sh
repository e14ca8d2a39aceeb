#!/usr/bin/env bash
# make bisect-check: does every patch of the selected base's series (BASE,
# scripts/lib.sh) stand alone?  In a worktree of the base's tree
# (build/bisect-NAME/src), for each commit after "baseline" in turn: the
# x86_64 guest kernel (configs/guest.config and the base's fragment, with
# what the commit's Kconfig knows of them) builds, incrementally and with
# ccache, into build/bisect-NAME/obj without an error or a warning, and
# checkpatch.pl --strict finds nothing in the commit.  One line per
# commit; the build output of each is in build/bisect-NAME/NN.log.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

[ -d "$tree/.git" ] || die "$tree does not exist (run make tree)"
git=(git -C "$top/$tree")
"${git[@]}" rev-parse -q --verify 'baseline^{commit}' >/dev/null || die "$tree has no tag baseline"
mapfile -t commits < <("${git[@]}" rev-list --reverse baseline..isolation)
[ ${#commits[@]} -gt 0 ] || die "branch isolation has no commits after baseline"

dir=$top/build/bisect-$base_name
src=$dir/src obj=$dir/obj cfg=$dir/cfg
mkdir -p "$dir"
if ! git -C "$src" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$src"
	"${git[@]}" worktree prune
	"${git[@]}" worktree add -q --detach "$src" baseline
fi
kmake=(make -C "$src" ARCH=x86_64 "CC=ccache gcc" -j"${JOBS:-$(nproc)}")
export KBUILD_BUILD_TIMESTAMP="2012-03-12" KBUILD_BUILD_USER=isolation KBUILD_BUILD_HOST=guest

# The guest config with only the options that this commit's Kconfig has.
# shellcheck source=guest-config.sh
. scripts/guest-config.sh
config() {
	GUEST_CONFIG_PARTIAL=1 guest_config "$cfg" "$obj" configs/guest.config configs/"$base_name"/guest.config
}

bad=0
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	nn=$(printf '%02d' "$n")
	subject=$("${git[@]}" log -1 --format=%s "$c")
	log=$dir/$nn.log
	git -C "$src" checkout -q --detach "$c"
	start=$SECONDS
	result=ok
	if ! { config && "${kmake[@]}" -s O="$obj" bzImage modules; } >"$log" 2>&1; then
		result="build FAILED"
	elif grep -q 'warning:' "$log"; then
		result="build warnings"
	fi
	cp=$(cd "$src" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --color=never -g "$c" 2>&1 |
		grep -m1 '^total: ' || echo "total: checkpatch gave no totals line")
	grep -q '^total: 0 errors, 0 warnings, 0 checks,' <<<"$cp" || result="$result, checkpatch: ${cp#total: }"
	[ "$result" = ok ] || bad=1
	echo "$base_name $nn $subject: $result ($((SECONDS - start)) s)"
done
[ $bad = 0 ] || { echo "bisect-check: $base_name: not every patch stands alone (logs in ${dir#"$top"/}/)" >&2; exit 1; }
echo "bisect-check: $base_name: each of the ${#commits[@]} patches builds and passes checkpatch"

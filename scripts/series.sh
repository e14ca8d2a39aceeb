#!/usr/bin/env bash
# Writes the series of a base (BASE=NAME, default the primary) as mail
# patches to out/series/ for the primary and out/series-NAME/ for another
# base (git format-patch of baseline..isolation in the base's tree, with
# 0000-cover-letter.patch made from cover-letter.txt) and runs
# checkpatch.pl --strict on every patch into checkpatch.log there.
#   series.sh              write the patches, report checkpatch's totals
#   series.sh --check      also fail if any patch has an error, warning or check
#   series.sh --verify-am  write the patches, git am them onto baseline in a
#                          throwaway clone and check that the result has the
#                          tree of branch isolation (no checkpatch run)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

check=0 verify=0
for a in "$@"; do
	case "$a" in
	--check) check=1 ;;
	--verify-am) verify=1 ;;
	*) die "unknown option '$a' (use --check or --verify-am)" ;;
	esac
done

[ -d "$tree/.git" ] || die "$tree does not exist (run make tree)"
git=(git -C "$top/$tree")
"${git[@]}" rev-parse -q --verify 'baseline^{commit}' >/dev/null || die "$tree has no tag baseline"
"${git[@]}" rev-parse -q --verify 'isolation^{commit}' >/dev/null || die "$tree has no branch isolation"
[ -n "$("${git[@]}" rev-list baseline..isolation)" ] || die "branch isolation has no commits after baseline"
debver=$(cat "$tree/.git/debian-version" 2>/dev/null || debian_version)
kver=${debver%%-*}
base=$("${git[@]}" rev-parse 'baseline^{commit}')

# --- The patches. ---
outname=series
[ "$base_name" = "$primary_base" ] || outname=series-$base_name
shown=out/$outname
# --verify-am alone writes its own copy, so that it can run beside a
# checkpatch run of the same base.
[ $verify = 1 ] && [ $check = 0 ] && shown=build/am-series-$base_name
out=$top/$shown
rm -rf "$out"
mkdir -p "$out"
"${git[@]}" format-patch -q --numbered --cover-letter \
	--no-signature --no-color --src-prefix=a/ --dst-prefix=b/ \
	-o "$out" baseline..isolation >/dev/null

if ! [ -f cover-letter.txt ]; then
	printf '%s\n\n%s\n' "isolation groups for the driver core" \
		"(Describe the series here: cover-letter.txt, first line subject, then the text.)" \
		>cover-letter.txt
	echo "series: created a placeholder cover-letter.txt"
fi
cover=$out/0000-cover-letter.patch
[ -f "$cover" ] || die "git format-patch wrote no $cover"
if [ "$base_name" = "$primary_base" ]; then
	based="Based on Linux $kver (upstream tag v$kver), mainline"
else
	mainline=$(upstream_version "$(base_field rebased "" "$primary_base")")
	based="The backport to Linux $kver (upstream tag v$kver), the $base_name LTS, of the
series on mainline (Linux $mainline)"
fi
COVER_SUBJECT=$(head -n 1 cover-letter.txt) \
COVER_BODY="$(tail -n +2 cover-letter.txt | git stripspace)

$based, with Debian's changes, as shipped in Debian's package
$base_package, version $debver; it applies with git am to the tree that
package unpacks." \
perl -i -pe '
	s/\*\*\* SUBJECT HERE \*\*\*/$ENV{COVER_SUBJECT}/;
	s/^\*\*\* BLURB HERE \*\*\*$/$ENV{COVER_BODY}/;
' "$cover"
grep -q 'SUBJECT HERE\|BLURB HERE' "$cover" && die "could not fill in $cover"
patches=("$out"/0*.patch)
patches=("${patches[@]:1}")
echo "series: wrote $shown/ (cover letter and ${#patches[@]} patches)"

# --- checkpatch.pl --strict on every patch. ---
if [ $verify = 0 ] || [ $check = 1 ]; then
	log=$out/checkpatch.log
	: >"$log"
	bad=0
	for p in "${patches[@]}"; do
		n=${p##*/}
		echo "=== $n" >>"$log"
		res=$(cd "$tree" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --color=never "$p" 2>&1) || true
		printf '%s\n\n' "$res" >>"$log"
		total=$(grep -m1 '^total: ' <<<"$res" || true)
		[ -n "$total" ] || total="total: checkpatch gave no totals line"
		echo "$n: $total"
		grep -q '^total: 0 errors, 0 warnings, 0 checks,' <<<"$total" || bad=1
	done
	echo "series: checkpatch output in $shown/checkpatch.log"
	if [ $check = 1 ] && [ $bad = 1 ]; then
		echo "series: checkpatch --strict found problems" >&2
		exit 1
	fi
fi

# --- git am onto baseline in a throwaway clone. ---
if [ $verify = 1 ]; then
	am=$top/build/am-verify-$base_name
	rm -rf "$am"
	trap 'rm -rf "$am"' EXIT
	git clone -q --shared --no-checkout "$top/$tree" "$am"
	# Check out only the files the series touches.
	{
		"${git[@]}" diff --name-only --no-renames baseline isolation
		sed -n 's|^diff --git a/\(.*\) b/\(.*\)$|\1\n\2|p' "${patches[@]}"
	} | sort -u | sed -e 's/[][*?!\\#]/\\&/g' -e 's|^|/|' >"$am.paths"
	git -C "$am" sparse-checkout set --no-cone --stdin <"$am.paths"
	rm -f "$am.paths"
	git -C "$am" checkout -q --detach "$base"
	if ! git -C "$am" am -q "${patches[@]}" >"$am.log" 2>&1; then
		cat "$am.log" >&2
		rm -f "$am.log"
		echo "series: git am of $shown/ onto baseline FAILED" >&2
		exit 1
	fi
	rm -f "$am.log"
	got=$(git -C "$am" rev-parse 'HEAD^{tree}')
	want=$("${git[@]}" rev-parse 'isolation^{tree}')
	if [ "$got" = "$want" ]; then
		echo "series: git am of ${#patches[@]} patches onto baseline gives the tree of isolation ($want)"
	else
		echo "series: git am of ${#patches[@]} patches onto baseline gives tree $got, but isolation has $want" >&2
		exit 1
	fi
fi

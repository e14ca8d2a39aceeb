#!/usr/bin/env bash
# Copies work done in a base's tree (BASE=NAME, default the primary's
# build/linux) back into the repository: the overlay files listed in
# "series" from the tree's work tree into overlay/, each commit's message
# into patches/NNNN-slug.msg, and each commit's changes to the other files
# into patches/NNNN-slug.diff (commit k after the tag "baseline" is the
# k-th entry of series).  Uncommitted changes to those other files go into
# the diff of the last commit that touches the file.
#
# For the primary, the whole diff is written and the overlay files are
# copied; the other bases' own diffs are left as they are.  For another
# base, patches/NNNN-slug.diff and overlay/ are left as they are and
# patches/BASE/NNNN-slug.diff gets the changes to the files where the
# primary's diff does not give the tree's result, and the changes from
# overlay/ to the tree's copy of the entry's overlay files that differ (or
# goes, when there are none).
#
# The diffs carry full blob ids, so that assemble.sh can merge them in three
# ways on another Debian version; "rebased" in bases/NAME becomes the
# version the tree is on.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

export GIT_LITERAL_PATHSPECS=1
read_series
[ -d "$tree/.git" ] || die "$tree does not exist (run make tree)"
git=(git -C "$top/$tree")
"${git[@]}" rev-parse -q --verify 'baseline^{commit}' >/dev/null || die "$tree has no tag baseline"
"${git[@]}" merge-base --is-ancestor baseline HEAD || die "HEAD of $tree is not on top of baseline"
[ -z "$("${git[@]}" rev-list --merges baseline..HEAD)" ] || die "$tree has merge commits after baseline"
mapfile -t commits < <("${git[@]}" rev-list --reverse baseline..HEAD)
[ ${#commits[@]} = ${#entries[@]} ] ||
	die "$tree has ${#commits[@]} commits after baseline but series has ${#entries[@]} entries; keep one commit per entry (git commit --fixup, git rebase -i --autosquash baseline)"

# A new overlay file may have been created but not yet added in build/linux.
for p in "${!owner[@]}"; do
	[ -f "$tree/$p" ] || die "$tree/$p (listed in series) does not exist"
done

diffopts=(--full-index --no-color --no-ext-diff --no-textconv --binary --src-prefix=a/ --dst-prefix=b/)
is_overlay() { [ -n "${owner[$1]+x}" ]; }

# Which files each commit changes, overlay files left out.
declare -A last_touch=()
declare -a touched=()
for i in "${!commits[@]}"; do
	touched[$i]=$("${git[@]}" diff --name-only --no-renames "${commits[$i]}^" "${commits[$i]}" |
		while IFS= read -r f; do is_overlay "$f" || echo "$f"; done)
	while IFS= read -r f; do
		[ -n "$f" ] && last_touch[$f]=$i
	done <<<"${touched[$i]}"
done

# Uncommitted changes to tracked files that are not overlay files.
"${git[@]}" update-index -q --refresh >/dev/null 2>&1 || true
declare -a folded=()
err=0
while IFS= read -r f; do
	[ -n "$f" ] || continue
	is_overlay "$f" && continue
	if [ -z "${last_touch[$f]+x}" ]; then
		echo "refresh: $tree/$f has uncommitted changes but no commit of the series touches it;" >&2
		echo "         commit it in $tree to the right commit (git commit --fixup=...; git rebase -i --autosquash baseline)" >&2
		err=1
		continue
	fi
	folded[${last_touch[$f]}]+="$f"$'\n'
done < <("${git[@]}" diff --name-only --no-renames HEAD)
[ $err = 0 ] || exit 1

# Overlay files: from the work tree (the primary only).
[ "$base_name" != "$primary_base" ] || for p in "${!owner[@]}"; do
	if ! cmp -s "$tree/$p" "overlay/$p"; then
		cp --preserve=mode "$tree/$p" "overlay/$p"
	fi
done

# overlay_diff I: for another base, the changes from overlay/ to the work
# tree's copy of entry I's overlay files that differ, as a diff.
overlay_diff() {
	local p from to mode
	local -a ov=()
	while IFS= read -r p; do
		[ -n "$p" ] && ! cmp -s "$tree/$p" "overlay/$p" && ov+=("$p")
	done < <(entry_paths "$1")
	[ ${#ov[@]} -gt 0 ] || return 0
	GIT_INDEX_FILE=$ownindex "${git[@]}" read-tree "${commits[$1]}^"
	for p in "${ov[@]}"; do
		mode=100644
		[ ! -x "overlay/$p" ] || mode=100755
		GIT_INDEX_FILE=$ownindex "${git[@]}" update-index --add --cacheinfo \
			"$mode,$("${git[@]}" hash-object -w --no-filters "$top/overlay/$p"),$p"
	done
	from=$(GIT_INDEX_FILE=$ownindex "${git[@]}" write-tree)
	for p in "${ov[@]}"; do
		mode=100644
		[ ! -x "$tree/$p" ] || mode=100755
		GIT_INDEX_FILE=$ownindex "${git[@]}" update-index --add --cacheinfo \
			"$mode,$("${git[@]}" hash-object -w --no-filters "$top/$tree/$p"),$p"
	done
	to=$(GIT_INDEX_FILE=$ownindex "${git[@]}" write-tree)
	"${git[@]}" diff "${diffopts[@]}" "$from" "$to" -- "${ov[@]}"
}

tmpindex=$(mktemp "$top/$tree/.git/refresh-index.XXXXXX")
ownindex=$(mktemp "$top/$tree/.git/refresh-own.XXXXXX")
tmpdiff=$(mktemp)
trap 'rm -f "$tmpindex" "$tmpindex.lock" "$ownindex" "$ownindex.lock" "$tmpdiff"' EXIT

# own_files FROM TO FILES SHARED: of FILES (one a line), changed from tree
# FROM to tree TO, those for which the primary's diff SHARED does not give
# TO's file when applied to FROM's: the base's own files.
own_files() {
	local from=$1 to=$2 f
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		GIT_INDEX_FILE=$ownindex "${git[@]}" read-tree "$from"
		if [ -f "$4" ] && grep -qxF "$f" <(diff_files "$4") &&
		   GIT_INDEX_FILE=$ownindex "${git[@]}" apply --cached --whitespace=nowarn \
			--include="$f" "$top/$4" 2>/dev/null &&
		   [ "$(GIT_INDEX_FILE=$ownindex "${git[@]}" rev-parse -q --verify ":$f" || true)" = \
		     "$("${git[@]}" rev-parse -q --verify "$to:$f" || true)" ]; then
			continue
		fi
		echo "$f"
	done <<<"$3"
}
for i in "${!entries[@]}"; do
	name=${entries[$i]}
	c=${commits[$i]}
	to=$c
	files=${touched[$i]}
	if [ -n "${folded[$i]:-}" ]; then
		# The commit's tree with the uncommitted changes of its files.
		GIT_INDEX_FILE=$tmpindex "${git[@]}" read-tree "$c"
		while IFS= read -r f; do
			[ -n "$f" ] || continue
			if [ -e "$tree/$f" ] || [ -L "$tree/$f" ]; then
				GIT_INDEX_FILE=$tmpindex "${git[@]}" add -f -- "$f"
			else
				GIT_INDEX_FILE=$tmpindex "${git[@]}" rm -q --cached -- "$f"
			fi
		done <<<"${folded[$i]}"
		to=$(GIT_INDEX_FILE=$tmpindex "${git[@]}" write-tree)
		files=$("${git[@]}" diff --name-only --no-renames "$c^" "$to" |
			while IFS= read -r f; do is_overlay "$f" || echo "$f"; done)
	fi
	out=patches/$name.diff
	if [ "$base_name" != "$primary_base" ]; then
		out=patches/$base_name/$name.diff
		[ -z "$files" ] || files=$(own_files "$c^" "$to" "$files" "patches/$name.diff")
	fi
	: >"$tmpdiff"
	if [ -n "$files" ]; then
		mapfile -t fl <<<"$files"
		"${git[@]}" diff "${diffopts[@]}" "$c^" "$to" -- "${fl[@]}" >"$tmpdiff"
	fi
	[ "$base_name" = "$primary_base" ] || overlay_diff "$i" >>"$tmpdiff"
	if [ -s "$tmpdiff" ]; then
		mkdir -p "${out%/*}"
		cmp -s "$tmpdiff" "$out" || cp "$tmpdiff" "$out"
	else
		rm -f "$out"
	fi
	"${git[@]}" show -s --format=%B "$c" | git stripspace >"$tmpdiff"
	cmp -s "$tmpdiff" "patches/$name.msg" || cp "$tmpdiff" "patches/$name.msg"
done

# The series is now rebased on the version build/linux is on.
treever=$(cat "$tree/.git/debian-version" 2>/dev/null || true)
if [ -n "$treever" ] && [ "$treever" != "$base_rebased" ]; then
	sed -i "s/^rebased[[:space:]].*/rebased $treever/" "$base_file"
	echo "refresh: the series is now rebased on $base_package $treever ($base_file)"
fi

git status -s -- bases overlay patches

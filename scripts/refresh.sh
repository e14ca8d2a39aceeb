#!/usr/bin/env bash
# Copies work done in build/linux back into the repository: the overlay
# files listed in "series" from build/linux's work tree into overlay/, each
# commit's message into patches/NNNN-slug.msg, and each commit's changes to
# the other files into patches/NNNN-slug.diff (commit k after the tag
# "baseline" is the k-th entry of series).  Uncommitted changes to those
# other files go into the diff of the last commit that touches the file.
# The diffs carry full blob ids, so that assemble.sh can merge them in three
# ways on another Debian version; "rebased" in "base" becomes the version
# build/linux is on.
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

# Overlay files: from the work tree.
for p in "${!owner[@]}"; do
	if ! cmp -s "$tree/$p" "overlay/$p"; then
		cp --preserve=mode "$tree/$p" "overlay/$p"
	fi
done

tmpindex=$(mktemp "$top/$tree/.git/refresh-index.XXXXXX")
tmpdiff=$(mktemp)
trap 'rm -f "$tmpindex" "$tmpindex.lock" "$tmpdiff"' EXIT
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
	: >"$tmpdiff"
	if [ -n "$files" ]; then
		mapfile -t fl <<<"$files"
		"${git[@]}" diff "${diffopts[@]}" "$c^" "$to" -- "${fl[@]}" >"$tmpdiff"
	fi
	if [ -s "$tmpdiff" ]; then
		cmp -s "$tmpdiff" "patches/$name.diff" || cp "$tmpdiff" "patches/$name.diff"
	else
		rm -f "patches/$name.diff"
	fi
	"${git[@]}" show -s --format=%B "$c" | git stripspace >"$tmpdiff"
	cmp -s "$tmpdiff" "patches/$name.msg" || cp "$tmpdiff" "patches/$name.msg"
done

# The series is now rebased on the version build/linux is on.
treever=$(cat "$tree/.git/debian-version" 2>/dev/null || true)
if [ -n "$treever" ] && [ "$treever" != "$base_rebased" ]; then
	sed -i "s/^rebased[[:space:]].*/rebased $treever/" base
	echo "refresh: the series is now rebased on $base_package $treever (base)"
fi

git status -s -- base overlay patches

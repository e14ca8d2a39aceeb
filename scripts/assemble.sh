#!/usr/bin/env bash
# Assembles the tree of a base (BASE=NAME, default the primary; build/linux
# or build/linux-NAME, see scripts/lib.sh): a git tree with the pristine
# Debian kernel source (the package named in bases/NAME) as the commit
# tagged "baseline" and, on branch "isolation", one commit per entry of
# "series" (its overlay files added, its .diff applied, with the base's own
# diff in patches/NAME/ in place of the changes to the files that one
# names, which may change the overlay files as well, its .msg as
# message).
#
# Each Debian version of the source is a commit of its own, tagged
# baseline-VERSION ("~" and ":" written "_"), kept in build/linux's object
# store.  The series is built on it in a temporary index, and only when
# every entry applied does the work tree move to the new commits, with git,
# so that only files that differ are rewritten and kernel rebuilds stay
# incremental.  Whatever fails, build/linux keeps the commits, tag and
# files it had (the first time, its pristine baseline).
#
# When the installed version is not the one the series was rebased on
# ("rebased" in bases/NAME), a .diff that does not apply exactly is merged in
# three ways against the old version's pre-images (from its baseline
# commit, or from the old package, which apt-get downloads), and failing
# that applied by patch(1) with fuzz; every file that needed it is named in
# a warning.  A hunk that applies in no way stops the assembly, naming the
# patch, the file and the hunk.
#
# Refuses to overwrite edits made in the tree that are not in the
# repository (run make refresh first, or set FORCE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

read_series
debver=$(debian_version)
kver=$(upstream_version "$debver")
[ -f "$tarball" ] || die "$tarball is missing (run make deps)"
if [ "$debver" = "$base_rebased" ]; then
	echo "assemble: base $base_package $debver, the version the series is rebased on"
else
	echo "assemble: WARNING: the series was last rebased on $base_package $base_rebased, but $tarball is $debver; trying it" >&2
fi

git=(git -C "$top/$tree")
work=$top/build/assemble.tmp
rm -rf "$work"
tmpindex=
trap 'rm -rf "$work" "$tree.tmp"; [ -z "$tmpindex" ] || rm -f "$tmpindex" "$tmpindex.lock"' EXIT

tag_of() { echo "baseline-${1//[~:]/_}"; }

# State of the tree: clean, or with changes that would be lost.
tree_dirty() {
	git -C "$tree" update-index -q --refresh >/dev/null 2>&1 || true
	! git -C "$tree" diff-index --quiet HEAD --
}

# unpack TARBALL DEBVER DIR: the kernel source of TARBALL in DIR, checked to
# be a kernel tree of the upstream version of DEBVER.
unpack() {
	local tb=$1 ver=$2 dir=$3 v err
	mkdir -p "$dir"
	err=$(tar -xJf "$tb" -C "$dir" --strip-components=1 --no-same-owner 2>&1) ||
		die "$tb cannot be unpacked: ${err%%$'\n'*}"
	[ -f "$dir/Makefile" ] && [ -f "$dir/Kbuild" ] && [ -d "$dir/drivers" ] ||
		die "$tb is not a kernel source tree (no Makefile, Kbuild and drivers/ at its top)"
	v=$(awk '$2 == "=" && $1 == "VERSION" { a = $3 } $2 == "=" && $1 == "PATCHLEVEL" { b = $3 }
		$2 == "=" && $1 == "SUBLEVEL" { c = $3 } END { print a "." b "." c }' "$dir/Makefile")
	[ "$v" = "$(upstream_version "$ver")" ] ||
		die "$tb holds Linux $v, not $(upstream_version "$ver") as its package version $ver says"
}

# commit_dir DIR DEBVER: commits DIR, as a work tree of build/linux's
# repository, as the root commit tagged baseline-DEBVER; prints its id.
commit_dir() {
	local dir=$1 ver=$2 idx t c
	idx=$(mktemp "$work/index.XXXXXX")
	rm -f "$idx"
	# Debian's .gitignore ignores many files the source ships.
	GIT_INDEX_FILE=$idx git --git-dir="$top/$tree/.git" --work-tree="$dir" add -f -A
	t=$(GIT_INDEX_FILE=$idx "${git[@]}" write-tree)
	rm -f "$idx"
	c=$(echo "Linux $(upstream_version "$ver") (Debian $base_package $ver)" | "${git[@]}" commit-tree "$t")
	"${git[@]}" tag -f "$(tag_of "$ver")" "$c" >/dev/null
	echo "$c"
}

# --- The pristine tree of this version. ---
start=$SECONDS
if ! [ -d "$tree/.git" ] || ! "${git[@]}" rev-parse -q --verify 'baseline^{commit}' >/dev/null; then
	# The first time: the tarball unpacked in place is the work tree.
	echo "assemble: unpacking $tarball into $tree"
	rm -rf "$tree" "$tree.tmp"
	unpack "$tarball" "$debver" "$tree.tmp"
	git -C "$tree.tmp" init -q -b isolation
	git -C "$tree.tmp" config core.autocrlf false
	git -C "$tree.tmp" config gc.auto 0
	git -C "$tree.tmp" config advice.detachedHead false
	mv "$tree.tmp" "$tree"
	mkdir -p "$work"
	newbase=$(commit_dir "$top/$tree" "$debver")
	"${git[@]}" tag -f baseline "$newbase" >/dev/null
	"${git[@]}" update-ref refs/heads/isolation "$newbase"
	"${git[@]}" reset -q
	echo "$debver" >"$tree/.git/debian-version"
	echo "$newbase" >"$tree/.git/assembled-head"
	echo "assemble: baseline $(git -C "$tree" rev-parse --short baseline) ($((SECONDS - start)) s)"
elif newbase=$("${git[@]}" rev-parse -q --verify "$(tag_of "$debver")^{commit}"); then
	:
else
	echo "assemble: importing $base_package $debver into $tree (its files stay as they are until the series applies)"
	mkdir -p "$work"
	unpack "$tarball" "$debver" "$work/src"
	newbase=$(commit_dir "$work/src" "$debver")
	rm -rf "$work/src"
	echo "assemble: $(tag_of "$debver") $(git -C "$tree" rev-parse --short "$newbase") ($((SECONDS - start)) s)"
fi
mkdir -p "$work"

cur=$("${git[@]}" rev-parse -q --verify HEAD || true)
mark=$top/$tree/.git/assembled-head
last=$(cat "$mark" 2>/dev/null || true)
branch=$("${git[@]}" symbolic-ref -q HEAD || true)

# --- Shortcut: same inputs as last time and the tree untouched. ---
inputs=$(
	echo "$newbase $debver"
	echo "$base_name"
	find series bases patches overlay scripts/assemble.sh scripts/lib.sh -type f -printf '%m %p\0' |
		sort -z | tr '\0' '\n'
	find series bases patches overlay scripts/assemble.sh scripts/lib.sh -type f -print0 |
		sort -z | xargs -0 sha1sum
)
key=$(sha1sum <<<"$inputs")
key=${key%% *}
cache=$top/$tree/.git/assemble-cache
if [ "${FORCE:-0}" != 1 ] && [ "$(cat "$cache" 2>/dev/null)" = "$key $cur" ] &&
   [ "$cur" = "$last" ] && [ "$branch" = refs/heads/isolation ] && ! tree_dirty; then
	printf '  %s\n' "${entries[@]}"
	cat "$top/$tree/.git/assemble-warnings" 2>/dev/null >&2 || true
	echo "assemble: $tree is up to date ($("${git[@]}" rev-parse --short HEAD))"
	exit 0
fi

# --- Every .diff is a patch. ---
for d in patches/*.diff patches/"$base_name"/*.diff; do
	[ -f "$d" ] || continue
	n=$("${git[@]}" apply --numstat "$top/$d" 2>/dev/null | wc -l) || n=0
	[ "$n" -gt 0 ] || die "$d is not a patch (git apply finds no change in it)"
done

# entry_diffs NAME: the diffs that make entry NAME on this base, in order,
# as "LABEL PATH" lines: the primary's patches/NAME.diff (for another base,
# a copy in $work without the files the base's own diff changes) and the
# base's own patches/BASE/NAME.diff.
entry_diffs() {
	local name=$1 own shared=patches/$1.diff
	own=$(base_diff "$name")
	if [ -f "$shared" ]; then
		if [ -n "$own" ]; then
			mkdir -p "$work/shared"
			diff_files "$own" >"$work/shared/$name.files"
			diff_without "$shared" "$work/shared/$name.files" >"$work/shared/$name.diff"
			[ ! -s "$work/shared/$name.diff" ] || echo "$shared $work/shared/$name.diff"
		else
			echo "$shared $top/$shared"
		fi
	fi
	[ -z "$own" ] || echo "$own $top/$own"
}

# add_overlay I: adds the overlay files of entry I to the index.
add_overlay() {
	local i=$1 j mode
	mapfile -t paths < <(entry_paths "$i")
	[ ${#paths[@]} -gt 0 ] || return 0
	mapfile -t blobs < <(printf "$top/overlay/%s\n" "${paths[@]}" |
		"${git[@]}" hash-object -w --no-filters --stdin-paths)
	[ ${#blobs[@]} = ${#paths[@]} ] || die "git hash-object failed for overlay files of ${entries[$i]}"
	for j in "${!paths[@]}"; do
		mode=100644
		[ -x "overlay/${paths[$j]}" ] && mode=100755
		printf '%s %s\t%s\n' "$mode" "${blobs[$j]}" "${paths[$j]}"
	done | "${git[@]}" update-index --add --index-info
}

# build_series BASE [exact]: the series' commits on BASE in the index
# $GIT_INDEX_FILE; prints the last.  With "exact", a .diff that does not
# apply exactly fails; without, it falls back as said at the top.
build_series() {
	local head=$1 exact=${2:-} i name t label d
	"${git[@]}" read-tree "$head"
	for i in "${!entries[@]}"; do
		name=${entries[$i]}
		# The overlay first: a base's own diff may change its files.
		add_overlay "$i"
		while read -r label d; do
			"${git[@]}" apply --cached --whitespace=nowarn "$d" 2>/dev/null && continue
			[ -z "$exact" ] || return 1
			apply_inexact "$label" "$d" >&2 || {
				# What applied, for whoever fixes the hunk.
				"${git[@]}" update-ref refs/heads/rebase "$head"
				return 1
			}
		done < <(entry_diffs "$name")
		t=$("${git[@]}" write-tree)
		head=$(git stripspace <"patches/$name.msg" | "${git[@]}" commit-tree "$t" -p "$head")
	done
	echo "$head"
}

# old_preimages: makes sure the object store holds the pre-images of every
# .diff as the series made them on the version it was rebased on, by
# building the series on that version's baseline (unpacked from its
# package, downloaded with apt-get, if it is not in the store yet).
old_preimages_done=
old_preimages() {
	[ -z "$old_preimages_done" ] || return "$old_preimages_done"
	old_preimages_done=1
	local old idx
	if ! old=$("${git[@]}" rev-parse -q --verify "$(tag_of "$base_rebased")^{commit}"); then
		echo "assemble: fetching $base_package $base_rebased for the pre-images of the series"
		base_tarball "$base_rebased" "$work/old.tar.xz" 2>&1 || return 1
		mkdir -p "$work/old"
		( unpack "$work/old.tar.xz" "$base_rebased" "$work/old" ) || return 1
		old=$(commit_dir "$work/old" "$base_rebased")
		rm -rf "$work/old" "$work/old.tar.xz"
	fi
	idx=$(mktemp "$work/old-index.XXXXXX")
	GIT_INDEX_FILE=$idx build_series "$old" exact >/dev/null || {
		echo "assemble: the series does not apply exactly to $base_rebased either: is 'rebased' in base right?"
		return 1
	}
	old_preimages_done=0
}

# index_copy DIFF DIR: the index's copies of the files DIFF changes, in DIR.
index_copy() {
	local f
	rm -rf "$2"
	mkdir -p "$2"
	while read -r f; do
		"${git[@]}" cat-file -e ":$f" 2>/dev/null || continue
		mkdir -p "$2/$(dirname "$f")"
		"${git[@]}" cat-file blob ":$f" >"$2/$f"
	done < <(diff_files "$1")
}

# apply_inexact LABEL DIFF: applies DIFF (LABEL: its name in the
# repository) to the index in three ways, or with fuzz; adds what it did to
# $warnings, or says which hunk failed.
apply_inexact() {
	local label=$1 d=$2 before f out rc mode blob w
	[ "$debver" != "$base_rebased" ] || {
		patch_failure "$label" "$d"
		return 1
	}
	before=$("${git[@]}" write-tree)
	if old_preimages && "${git[@]}" apply --cached --3way --whitespace=nowarn "$d" >"$work/3way.log" 2>&1; then
		sed -n "s|^Applied patch to '\\(.*\\)' cleanly\\.\$|\\1|p" "$work/3way.log" | while read -r f; do
			echo "$label: $f: merged in three ways with the pre-image of $base_rebased"
		done >>"$warnings"
		grep -qF "$label" "$warnings" ||
			echo "$label: merged in three ways with the pre-images of $base_rebased" >>"$warnings"
		return 0
	fi
	"${git[@]}" read-tree "$before"
	# patch(1) with fuzz, on the index's copies of the files.
	w=$work/fuzz
	index_copy "$d" "$w"
	rc=0
	out=$(patch -p1 -d "$w" --fuzz=2 --forward --no-backup-if-mismatch -r - <"$d" 2>&1) || rc=1
	if [ $rc = 0 ]; then
		while read -r f; do
			if [ -f "$w/$f" ]; then
				mode=$("${git[@]}" ls-files -s -- "$f" | cut -d' ' -f1)
				blob=$("${git[@]}" hash-object -w --no-filters "$w/$f")
				"${git[@]}" update-index --add --cacheinfo "${mode:-100644},$blob,$f"
			else
				"${git[@]}" update-index --force-remove -- "$f"
			fi
		done < <(diff_files "$d")
		awk -v p="$label" '
			/^patching file / { f = $3 }
			/^Hunk #[0-9]+ succeeded/ { sub(/\.$/, ""); print p ": " f ": " $0 " (patch --fuzz=2)" }' <<<"$out" >>"$warnings"
		grep -qF "$label" "$warnings" ||
			echo "$label: applied by patch(1), not by git apply" >>"$warnings"
		return 0
	fi
	patch_failure "$label" "$d" "$out"
}

# patch_failure LABEL DIFF [PATCH-OUTPUT]: says which file and hunk of DIFF
# (LABEL: its name in the repository) fail, and what to do.
patch_failure() {
	local label=$1 d=$2 out=${3:-} hunks
	if [ -z "$out" ]; then
		index_copy "$d" "$work/dry"
		out=$(patch -p1 -d "$work/dry" --dry-run --fuzz=0 --forward -r - <"$d" 2>&1) || true
	fi
	hunks=$(awk '/^(patching|checking) file / { f = $3 }
		/^Hunk #[0-9]+ FAILED/ { sub(/\.$/, ""); printf "%s%s: %s", sep, f, $0; sep = "; " }' <<<"$out")
	[ -n "$hunks" ] || hunks=$(grep -m1 -v '^\(patching\|checking\) file' <<<"$out" || true)
	echo "assemble.sh: $label does not apply to $base_package $debver: ${hunks:-git apply refuses it};" \
		"$tree is unchanged. Fix that hunk's context in $label to match $debver" \
		"(branch 'rebase' of $tree has the entries before it on $debver), run make again, then make refresh"
}

# --- The series, built without touching the work tree. ---
tmpindex=$(mktemp "$top/$tree/.git/assemble-index.XXXXXX")
warnings=$work/warnings
: >"$warnings"
head=$(GIT_INDEX_FILE=$tmpindex build_series "$newbase") || exit 1
printf '  %s\n' "${entries[@]}"
newtree=$("${git[@]}" rev-parse "$head^{tree}")

# --- Move build/linux to the new commits. ---
finish() {
	"${git[@]}" tag -f baseline "$newbase" >/dev/null
	echo "$debver" >"$top/$tree/.git/debian-version"
	echo "$head" >"$mark"
	echo "$key $head" >"$cache"
	if [ -s "$warnings" ]; then
		{
			echo "assemble: WARNING: the series is rebased on $base_rebased; on $debver these needed more than git apply:"
			sed 's/^/assemble:   /' "$warnings"
			echo "assemble: check them, then 'make refresh' rebases the repository on $debver"
		} | tee "$top/$tree/.git/assemble-warnings" >&2
	else
		rm -f "$top/$tree/.git/assemble-warnings"
	fi
}
if [ "$cur" = "$head" ] && [ "$branch" = refs/heads/isolation ] && ! tree_dirty; then
	finish
	echo "assemble: $tree is up to date ($("${git[@]}" rev-parse --short HEAD))"
	exit 0
fi

# The work tree as a tree object (tracked files plus the overlay paths),
# to tell whether it already holds what the repository holds.
worktree_tree() {
	local idx
	idx=$(mktemp "$top/$tree/.git/assemble-wt.XXXXXX")
	cp "$top/$tree/.git/index" "$idx"
	(
		export GIT_INDEX_FILE=$idx
		cd "$top/$tree"
		git add -u .
		for p in "${!owner[@]}"; do
			[ -e "$p" ] && printf '%s\0' "$p"
		done | xargs -0 -r git add -f --
		git write-tree
	)
	rm -f "$idx"
}

if [ "${FORCE:-0}" = 1 ]; then
	mode=--hard
elif [ "$(worktree_tree)" = "$newtree" ]; then
	# Same files: only move the branch, keep every file as it is.
	mode=--mixed
elif tree_dirty; then
	die "$tree has uncommitted changes: run 'make refresh' first to keep them (or FORCE=1 to drop them)"
elif [ -n "$cur" ] && [ "$cur" != "$last" ] && [ "$cur" != "$head" ]; then
	die "$tree has commits that are not in the repository: run 'make refresh' first to keep them (or FORCE=1 to drop them)"
else
	mode=--hard
fi
"${git[@]}" update-ref -m assemble refs/heads/isolation "$head"
"${git[@]}" symbolic-ref HEAD refs/heads/isolation
"${git[@]}" reset -q "$mode" "$head"
finish
echo "assemble: $tree is at $("${git[@]}" rev-parse --short HEAD) (isolation, ${#entries[@]} commits on $(tag_of "$debver"))"

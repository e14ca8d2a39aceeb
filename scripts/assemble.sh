#!/usr/bin/env bash
# Assembles build/linux: a git tree with the pristine Debian linux-source-6.12
# as the commit tagged "baseline" and, on branch "isolation", one commit per
# entry of "series" (its .diff applied, its overlay files added, its .msg as
# message).  The commits are built in a temporary index; the work tree is
# then moved to them with git, so only files that differ are rewritten and
# kernel rebuilds stay incremental.  Refuses to overwrite edits made in
# build/linux that are not in the repository (run make refresh first, or
# set FORCE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh

read_series
debver=$(debian_version)
kver=$(kernel_version)
[ -f "$tarball" ] || die "$tarball is missing (run make deps)"

# State of the tree: clean, or with changes that would be lost.
tree_dirty() {
	git -C "$tree" update-index -q --refresh >/dev/null 2>&1 || true
	! git -C "$tree" diff-index --quiet HEAD --
}

# --- The pristine tree, created once per Debian version. ---
if [ -d "$tree/.git" ] && [ "$(cat "$tree/.git/debian-version" 2>/dev/null)" != "$debver" ]; then
	echo "assemble: linux-source-6.12 is now $debver, re-creating $tree"
	if [ "${FORCE:-0}" != 1 ] && git -C "$tree" rev-parse -q --verify baseline >/dev/null &&
	   tree_dirty; then
		die "$tree has uncommitted changes: run 'make refresh' first (or FORCE=1)"
	fi
	rm -rf "$tree"
fi
if ! [ -d "$tree/.git" ] || ! git -C "$tree" rev-parse -q --verify 'baseline^{commit}' >/dev/null; then
	echo "assemble: extracting $tarball into $tree"
	start=$SECONDS
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1 --no-same-owner
	(
		cd "$tree.tmp"
		git init -q -b isolation
		git config core.autocrlf false
		git config gc.auto 0
		git config advice.detachedHead false
		# Debian's .gitignore ignores many files the source ships.
		git add -f -A
		git commit -q --no-verify -m "Linux $kver (Debian linux-source-6.12 $debver)"
		git tag baseline
		echo "$debver" >.git/debian-version
		git rev-parse HEAD >.git/assembled-head
	)
	mv "$tree.tmp" "$tree"
	echo "assemble: baseline $(git -C "$tree" rev-parse --short baseline) ($((SECONDS - start)) s)"
fi

git=(git -C "$top/$tree")
cur=$("${git[@]}" rev-parse -q --verify HEAD || true)
mark=$top/$tree/.git/assembled-head
last=$(cat "$mark" 2>/dev/null || true)
branch=$("${git[@]}" symbolic-ref -q HEAD || true)

# --- Shortcut: same inputs as last time and the tree untouched. ---
inputs=$(
	"${git[@]}" rev-parse 'baseline^{commit}'
	find series patches overlay scripts/assemble.sh scripts/lib.sh -type f -printf '%m %p\0' |
		sort -z | tr '\0' '\n'
	find series patches overlay scripts/assemble.sh scripts/lib.sh -type f -print0 |
		sort -z | xargs -0 sha1sum
)
key=$(sha1sum <<<"$inputs")
key=${key%% *}
cache=$top/$tree/.git/assemble-cache
if [ "${FORCE:-0}" != 1 ] && [ "$(cat "$cache" 2>/dev/null)" = "$key $cur" ] &&
   [ "$cur" = "$last" ] && [ "$branch" = refs/heads/isolation ] && ! tree_dirty; then
	printf '  %s\n' "${entries[@]}"
	echo "assemble: $tree is up to date ($("${git[@]}" rev-parse --short HEAD))"
	exit 0
fi
rm -f "$cache"

# --- The series, built without touching the work tree. ---
tmpindex=$(mktemp "$top/$tree/.git/assemble-index.XXXXXX")
trap 'rm -f "$tmpindex" "$tmpindex.lock"' EXIT
export GIT_INDEX_FILE=$tmpindex
"${git[@]}" read-tree baseline
head=$("${git[@]}" rev-parse 'baseline^{commit}')
for i in "${!entries[@]}"; do
	name=${entries[$i]}
	if [ -f "patches/$name.diff" ]; then
		"${git[@]}" apply --cached --whitespace=nowarn "$top/patches/$name.diff" ||
			die "patches/$name.diff does not apply on top of the previous commits"
	fi
	mapfile -t paths < <(entry_paths "$i")
	if [ ${#paths[@]} -gt 0 ]; then
		mapfile -t blobs < <(printf "$top/overlay/%s\n" "${paths[@]}" |
			"${git[@]}" hash-object -w --no-filters --stdin-paths)
		[ ${#blobs[@]} = ${#paths[@]} ] || die "git hash-object failed for overlay files of $name"
		for j in "${!paths[@]}"; do
			mode=100644
			[ -x "overlay/${paths[$j]}" ] && mode=100755
			printf '%s %s\t%s\n' "$mode" "${blobs[$j]}" "${paths[$j]}"
		done | "${git[@]}" update-index --add --index-info
	fi
	t=$("${git[@]}" write-tree)
	head=$(git stripspace <"patches/$name.msg" | "${git[@]}" commit-tree "$t" -p "$head")
	echo "  $name"
done
unset GIT_INDEX_FILE
newtree=$("${git[@]}" rev-parse "$head^{tree}")

# --- Move build/linux to the new commits. ---
if [ "$cur" = "$head" ] && [ "$branch" = refs/heads/isolation ] && ! tree_dirty; then
	echo "assemble: $tree is up to date ($("${git[@]}" rev-parse --short HEAD))"
	echo "$head" >"$mark"
	echo "$key $head" >"$cache"
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
echo "$head" >"$mark"
echo "$key $head" >"$cache"
echo "assemble: $tree is at $("${git[@]}" rev-parse --short HEAD) (isolation, ${#entries[@]} commits on baseline)"

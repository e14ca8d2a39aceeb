# Shared by assemble.sh, refresh.sh and series.sh (sourced, not run): reads
# the file "series", checks it against overlay/ and patches/, and defines the
# identity, date and paths used for the commits of build/linux.

die() { echo "${0##*/}: $*" >&2; exit 1; }

# The bases (bases/NAME): the kernels the series is kept on.  The primary,
# mainline, is the one patches/NNNN-slug.diff are made against; for every
# other base, patches/NAME/NNNN-slug.diff holds that commit's changes to the
# files where the base differs, and replaces the primary's diff for those
# files only.  BASE=NAME selects a base (default: the primary).  Its tree is
# build/linux for the primary and build/linux-NAME for the others.
primary_base=7.3
all_bases=(7.3 6.12)
# The LTS: make check builds it and runs its KUnit suites and a part of
# the guest tests beside the whole suite on the primary; make check-lts
# runs the whole suite on it.
lts_base=6.12
base_name=${BASE:-$primary_base}
base_file=bases/$base_name
[ -f "$base_file" ] || die "no base '$base_name' (bases/: ${all_bases[*]})"
# base_field FIELD [optional] [NAME]: the value of FIELD in bases/NAME
# (default: the selected base); fails if there is none, unless optional.
base_field() {
	local v f=bases/${3:-$base_name}
	v=$(sed -n "s/^$1[[:space:]]\{1,\}\([^[:space:]]*\)[[:space:]]*$/\1/p" "$f")
	[ -n "$v" ] || [ "${2:-}" = optional ] || die "$f: no line '$1 VALUE'"
	echo "$v"
}
base_package=$(base_field package)
base_rebased=$(base_field rebased)
# tree_of NAME: the kernel tree of base NAME.
tree_of() { if [ "$1" = "$primary_base" ]; then echo build/linux; else echo "build/linux-$1"; fi; }
# build_suffix: what the names of the selected base's build directories
# end in (build/guest$build_suffix, ...): nothing for the primary, "-NAME"
# for another base.
build_suffix=
[ "$base_name" = "$primary_base" ] || build_suffix=-$base_name

# TREE and TARBALL (and TARBALL_VERSION, its Debian version) let make
# check-base assemble another copy against a package that is not installed.
tree=${TREE:-$(tree_of "$base_name")}
tarball=${TARBALL:-/usr/src/$base_package.tar.xz}

# base_diff NAME: the base's own diff of entry NAME (patches/BASE/NAME.diff),
# if it has one; prints nothing for the primary.
base_diff() {
	[ "$base_name" != "$primary_base" ] && [ -f "patches/$base_name/$1.diff" ] &&
		echo "patches/$base_name/$1.diff"
	return 0
}

# diff_files DIFF: the files DIFF changes, one a line.
diff_files() { sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$1" | sort -u; }

# diff_without DIFF FILES: DIFF without the changes to the files named in
# the file FILES (one a line), on standard output.
diff_without() {
	awk -v list="$2" 'FILENAME == list { drop[$0] = 1; next }
	/^diff --git a\// { f = $3; sub(/^a\//, "", f); skip = (f in drop) }
	!skip' "$2" "$1"
}

# Fixed identity and date: unchanged inputs give identical commit ids.
export GIT_AUTHOR_NAME="Isolation Groups Developers"
export GIT_AUTHOR_EMAIL="isolation-groups@lists.linux.dev"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2025-01-01T00:00:00+0000"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# The Debian version of the base package that is installed (or of
# TARBALL), and the upstream kernel version it ships.
debian_version() {
	if [ -n "${TARBALL_VERSION:-}" ]; then
		echo "$TARBALL_VERSION"
		return
	fi
	dpkg-query -W -f='${Version}' "$base_package" 2>/dev/null ||
		die "$base_package is not installed (run make deps)"
}
upstream_version() { echo "${1%%-*}"; }
kernel_version() { upstream_version "$(debian_version)"; }

# read_series: fills
#   entries[]            commit names (NNNN-slug), in order
#   entry_files[i]       newline-separated overlay paths of entries[i]
#   owner[path]          index of the entry that lists path
# and checks that every entry has a .msg, that every listed path exists
# under overlay/ and is listed once, and that every file under overlay/ is
# listed.
declare -a entries=() entry_files=()
declare -A owner=()
read_series() {
	[ -f series ] || die "no file 'series'"
	local line n=0 name path err=0 f
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%$'\r'}
		case "$line" in \#*) continue ;; esac
		line=$(sed -e 's/[[:space:]]#.*//' -e 's/[[:space:]]*$//' <<<"$line")
		[ -n "$line" ] || continue
		case "$line" in
		[[:space:]]*)
			path=$(sed -e 's/^[[:space:]]*//' -e 's|^\./||' <<<"$line")
			[ ${#entries[@]} -gt 0 ] ||
				die "series:$n: file '$path' before the first commit"
			case "$path" in
			/*|*..*|*[[:space:]]*) die "series:$n: bad path '$path'" ;;
			esac
			if [ -n "${owner[$path]+x}" ]; then
				echo "series:$n: '$path' is already listed under ${entries[${owner[$path]}]}" >&2
				err=$((err + 1))
			fi
			[ -f "overlay/$path" ] ||
				{ echo "series:$n: overlay/$path does not exist" >&2; err=$((err + 1)); }
			owner[$path]=$((${#entries[@]} - 1))
			entry_files[-1]+="$path"$'\n'
			;;
		*)
			name=$line
			case "$name" in
			[0-9][0-9][0-9][0-9]-*) ;;
			*) die "series:$n: '$name' is not a commit name (NNNN-slug)" ;;
			esac
			[ -f "patches/$name.msg" ] ||
				{ echo "series:$n: patches/$name.msg does not exist" >&2; err=$((err + 1)); }
			for f in "${entries[@]}"; do
				[ "$f" != "$name" ] || die "series:$n: '$name' is listed twice"
			done
			entries+=("$name")
			entry_files+=("")
			;;
		esac
	done <series
	[ ${#entries[@]} -gt 0 ] || die "series lists no commits"
	if [ -d overlay ]; then
		while IFS= read -r -d '' f; do
			f=${f#overlay/}
			[ -n "${owner[$f]+x}" ] ||
				{ echo "series: overlay/$f is not listed in series" >&2; err=$((err + 1)); }
		done < <(find overlay \( -type f -o -type l \) -print0)
	fi
	for f in patches/*.msg patches/*.diff patches/*/*.diff; do
		[ -e "$f" ] || continue
		name=${f##*/}; name=${name%.*}
		case "$f" in
		patches/*/*)
			f2=${f#patches/}
			[ -f "bases/${f2%%/*}" ] && [ "${f2%%/*}" != "$primary_base" ] ||
				{ echo "series: $f is in no other base's directory (bases/: ${all_bases[*]}; $primary_base is the primary)" >&2; err=$((err + 1)); continue; }
			;;
		esac
		local found=0 e
		for e in "${entries[@]}"; do [ "$e" != "$name" ] || found=1; done
		[ $found = 1 ] || { echo "series: $f belongs to no commit in series" >&2; err=$((err + 1)); }
	done
	# One problem is said in one line; several get a summary too.
	[ $err = 0 ] || [ $err -gt 1 ] || exit 1
	[ $err = 0 ] || die "series, overlay/ and patches/ do not agree ($err problems above)"
}

# entry_paths I: the overlay paths of entry I, one a line.
entry_paths() { printf '%s' "${entry_files[$1]}"; }

# base_tarball VERSION FILE: the kernel source tarball of the base package
# at Debian version VERSION into FILE, from its package in build/debs/
# (downloaded with apt-get if it is not there).  Fails with a message.
base_tarball() {
	local ver=$1 out=$2 deb log
	mkdir -p build/debs
	deb=$(ls build/debs/"${base_package}_"*.deb 2>/dev/null | grep -F "_${ver//:/%3a}_" | head -n 1 || true)
	if [ -z "$deb" ]; then
		log=$( (cd build/debs && apt-get download -q "$base_package=$ver") 2>&1) || {
			echo "cannot download $base_package $ver: ${log##*$'\n'}" >&2
			return 1
		}
		deb=$(ls build/debs/"${base_package}_"*.deb | grep -F "_${ver//:/%3a}_" | head -n 1)
	fi
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$base_package.tar.xz" >"$out.tmp" &&
		mv "$out.tmp" "$out" ||
		{ rm -f "$out.tmp"; echo "$deb holds no /usr/src/$base_package.tar.xz" >&2; return 1; }
}

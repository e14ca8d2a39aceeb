# Shared by assemble.sh, refresh.sh and series.sh (sourced, not run): reads
# the file "series", checks it against overlay/ and patches/, and defines the
# identity, date and paths used for the commits of build/linux.

tree=build/linux
tarball=/usr/src/linux-source-6.12.tar.xz

die() { echo "${0##*/}: $*" >&2; exit 1; }

# Fixed identity and date: unchanged inputs give identical commit ids.
export GIT_AUTHOR_NAME="Isolation Groups Developers"
export GIT_AUTHOR_EMAIL="isolation-groups@lists.linux.dev"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="2025-01-01T00:00:00+0000"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# The Debian version of linux-source-6.12 and the kernel version it ships.
debian_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run make deps)"
}
kernel_version() { local v; v=$(debian_version); echo "${v%%-*}"; }

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
				err=1
			fi
			[ -f "overlay/$path" ] ||
				{ echo "series:$n: overlay/$path does not exist" >&2; err=1; }
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
				{ echo "series:$n: patches/$name.msg does not exist" >&2; err=1; }
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
				{ echo "series: overlay/$f is not listed in series" >&2; err=1; }
		done < <(find overlay \( -type f -o -type l \) -print0)
	fi
	for f in patches/*.msg patches/*.diff; do
		[ -e "$f" ] || continue
		name=${f#patches/}; name=${name%.*}
		local found=0 e
		for e in "${entries[@]}"; do [ "$e" != "$name" ] || found=1; done
		[ $found = 1 ] || { echo "series: $f belongs to no commit in series" >&2; err=1; }
	done
	[ $err = 0 ] || die "series, overlay/ and patches/ do not agree (see above)"
}

# entry_paths I: the overlay paths of entry I, one a line.
entry_paths() { printf '%s' "${entry_files[$1]}"; }

# Sourced by guest-build.sh and pseries-build.sh: guest_config CFG OBJ
# FRAGMENT... works out tinyconfig plus the config fragments (those that
# exist; a base's own fragment holds what its Kconfig spells differently)
# in the scratch directory CFG with the caller's "${kmake[@]}", checks
# that every line of each stuck (not with GUEST_CONFIG_PARTIAL=1, for a
# tree that knows only some of the options), and copies the result to
# OBJ/.config only when it changed, so that rebuilds stay incremental.
# shellcheck shell=bash
guest_config() {
	local cfg=$1 obj=$2 fragment line sym missing=0
	local -a fragments=()
	shift 2
	for fragment; do [ ! -f "$fragment" ] || fragments+=("$fragment"); done
	mkdir -p "$obj" "$cfg"
	"${kmake[@]}" -s O="$cfg" tinyconfig >/dev/null
	"$src"/scripts/kconfig/merge_config.sh -m -O "$cfg" "$cfg/.config" "${fragments[@]}" >/dev/null
	"${kmake[@]}" -s O="$cfg" olddefconfig >/dev/null
	[ "${GUEST_CONFIG_PARTIAL:-0}" = 1 ] ||
	for fragment in "${fragments[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=n) sym=${line%%=*}
				if grep -q "^$sym=" "$cfg/.config"; then echo "$fragment: $sym is set" >&2; missing=1; fi ;;
			CONFIG_*=*) grep -qx "$line" "$cfg/.config" || { echo "$fragment: $line did not stick" >&2; missing=1; } ;;
			esac
		done < "$fragment"
	done
	[ "$missing" = 0 ] || return 1
	cmp -s "$cfg/.config" "$obj/.config" || cp "$cfg/.config" "$obj/.config"
}

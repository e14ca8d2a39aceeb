# Sourced by guest-build.sh and pseries-build.sh: guest_config FRAGMENT CFG
# OBJ works out tinyconfig plus the config fragment FRAGMENT in the scratch
# directory CFG with the caller's "${kmake[@]}", checks that every line of
# FRAGMENT stuck, and copies the result to OBJ/.config only when it
# changed, so that rebuilds stay incremental.
# shellcheck shell=bash
guest_config() {
	local fragment=$1 cfg=$2 obj=$3 line sym missing=0
	mkdir -p "$obj" "$cfg"
	"${kmake[@]}" -s O="$cfg" tinyconfig >/dev/null
	"$src"/scripts/kconfig/merge_config.sh -m -O "$cfg" "$cfg/.config" "$fragment" >/dev/null
	"${kmake[@]}" -s O="$cfg" olddefconfig >/dev/null
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) sym=${line%%=*}
			if grep -q "^$sym=" "$cfg/.config"; then echo "$fragment: $sym is set" >&2; missing=1; fi ;;
		CONFIG_*=*) grep -qx "$line" "$cfg/.config" || { echo "$fragment: $line did not stick" >&2; missing=1; } ;;
		esac
	done < "$fragment"
	[ "$missing" = 0 ] || return 1
	cmp -s "$cfg/.config" "$obj/.config" || cp "$cfg/.config" "$obj/.config"
}

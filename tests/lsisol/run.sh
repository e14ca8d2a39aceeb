#!/bin/bash
# Host test of tools/isolation/lsisol: builds it with gcc, runs it on a fake
# sysfs tree and checks the table and JSON output and the error paths.
# Prints one "RESULT: ok lsisol.<name>" or "RESULT: fail lsisol.<name>: why"
# line per check; exits non-zero if any check failed.

cd "$(dirname "$0")/../.." || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

failed=0
ok() { echo "RESULT: ok lsisol.$1"; }
fail() { echo "RESULT: fail lsisol.$1: $2"; failed=1; }

if ! gcc -O2 -Wall -Wextra -Werror -o "$tmp/lsisol" \
	overlay/tools/isolation/lsisol.c 2>"$tmp/build.log"; then
	fail build "gcc failed: $(head -c 500 "$tmp/build.log" | tr '\n' ' ')"
	exit 1
fi
ok build
LSISOL=$tmp/lsisol

# Fake sysfs tree ----------------------------------------------------------
S=$tmp/sys
G=$S/kernel/isolation_groups

# add_dev NAME [DRIVER]: a PCI device, optionally bound to DRIVER.
add_dev() {
	local d=$S/devices/pci0000:00/$1
	mkdir -p "$d" "$S/bus/pci/devices"
	ln -s "../../../devices/pci0000:00/$1" "$S/bus/pci/devices/$1"
	if [ -n "$2" ]; then
		mkdir -p "$S/bus/pci/drivers/$2"
		ln -s "../../../bus/pci/drivers/$2" "$d/driver"
		ln -s "../../../../devices/pci0000:00/$1" \
			"$S/bus/pci/drivers/$2/$1"
	fi
}

# add_group ID PROVIDER MANAGER STATE DEV...
add_group() {
	local id=$1 prov=$2 mgr=$3 state=$4 dev
	shift 4
	mkdir -p "$G/$id/devices"
	echo "$prov" >"$G/$id/provider"
	echo "$mgr" >"$G/$id/manager"
	echo "$state" >"$G/$id/state"
	for dev in "$@"; do
		ln -s "../../../../devices/pci0000:00/$dev" "$G/$id/devices/$dev"
		ln -s "../../../kernel/isolation_groups/$id" \
			"$S/devices/pci0000:00/$dev/isolation_group"
	done
}

# Devices created out of order, group ids chosen so that a string sort
# would differ from the numeric one.
add_dev 0000:00:1f.2
add_dev 0000:00:1f.0 serial
add_dev 0000:00:03.0 vfio-pci
add_dev 0000:00:04.0 vfio-pci
add_group 10 intel-iommu vfio managed 0000:00:03.0
printf '0000:00:03.0\n0000:00:03.1\n' >"$G/10/iommu_ids"
printf 'vm:"guest\\1"\n' >"$G/10/context"
add_group 2 intel-iommu "" unmanaged 0000:00:1f.2 0000:00:1f.0
add_group 7 intel-iommu vfio locked 0000:00:04.0

# Checks -------------------------------------------------------------------

# run NAME ARGS...: runs lsisol, output in $tmp/out, $tmp/err, $rc.
run() {
	"$LSISOL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

cat >"$tmp/table.exp" <<'EOF'
GROUP  PROVIDER     MANAGER  STATE      CONTEXT       IOMMU IDS                  DEVICES
2      intel-iommu  -        unmanaged  -             -                          0000:00:1f.0(serial) 0000:00:1f.2(-)
7      intel-iommu  vfio     locked     -             -                          0000:00:04.0(vfio-pci)
10     intel-iommu  vfio     managed    vm:"guest\1"  0000:00:03.0,0000:00:03.1  0000:00:03.0(vfio-pci)
EOF

check_table() { # check_table NAME EXPECTED-FILE ARGS...
	local name=$1 exp=$2
	shift 2
	run "$@"
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc: $(head -c 300 "$tmp/err")"
	elif [ -s "$tmp/err" ]; then
		fail "$name" "unexpected stderr: $(head -c 300 "$tmp/err")"
	elif ! diff -u "$exp" "$tmp/out" >"$tmp/diff"; then
		fail "$name" "output differs: $(tr '\n' '|' <"$tmp/diff" | head -c 800)"
	else
		ok "$name"
	fi
}

check_table table "$tmp/table.exp" --sysfs "$S"
check_table table_short_opt "$tmp/table.exp" -s "$S"

# check_json NAME EXPECTED-JSON ARGS...: output compared field by field.
check_json() {
	local name=$1 exp=$2 why
	shift 2
	run "$@"
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc: $(head -c 300 "$tmp/err")"
		return
	fi
	why=$(python3 -c '
import json, sys

def cmp(path, got, exp):
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return "%s: expected an object, got %r" % (path, got)
        if set(got) != set(exp):
            return "%s: keys %s, expected %s" % (path, sorted(got), sorted(exp))
        for k in exp:
            r = cmp("%s.%s" % (path, k), got[k], exp[k])
            if r:
                return r
        return None
    if isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            return "%s: got %r, expected %r" % (path, got, exp)
        for i, (g, e) in enumerate(zip(got, exp)):
            r = cmp("%s[%d]" % (path, i), g, e)
            if r:
                return r
        return None
    if type(got) is not type(exp) or got != exp:
        return "%s: got %r, expected %r" % (path, got, exp)
    return None

try:
    got = json.load(open(sys.argv[1]))
except ValueError as e:
    print("invalid JSON: %s" % e)
    sys.exit(1)
r = cmp("$", got, json.loads(sys.argv[2]))
if r:
    print(r)
    sys.exit(1)
' "$tmp/out" "$exp" 2>&1)
	if [ $? != 0 ]; then
		fail "$name" "$why"
	else
		ok "$name"
	fi
}

json_exp='[
 {"id": 2, "provider": "intel-iommu", "manager": null, "state": "unmanaged",
  "devices": [{"name": "0000:00:1f.0", "driver": "serial", "reason": null},
              {"name": "0000:00:1f.2", "driver": null, "reason": null}]},
 {"id": 7, "provider": "intel-iommu", "manager": "vfio", "state": "locked",
  "devices": [{"name": "0000:00:04.0", "driver": "vfio-pci",
               "reason": null}]},
 {"id": 10, "provider": "intel-iommu", "manager": "vfio", "state": "managed",
  "context": "vm:\"guest\\1\"",
  "iommu_ids": ["0000:00:03.0", "0000:00:03.1"],
  "devices": [{"name": "0000:00:03.0", "driver": "vfio-pci",
               "reason": null}]}
]'
check_json json "$json_exp" --json --sysfs "$S"
check_json json_short_opt "$json_exp" -j -s "$S"

# Control characters in a string are escaped.
cp "$G/10/context" "$tmp/context.save"
printf 'a\tb\001c"d\\e\n' >"$G/10/context"
check_json json_escape "$(python3 -c '
import json, sys
e = json.loads(sys.argv[1])
e[2]["context"] = "a\tb\x01c\"d\\e"
print(json.dumps(e))' "$json_exp")" --json --sysfs "$S"
cp "$tmp/context.save" "$G/10/context"

# UTF-8 passes through; bytes that are not UTF-8 (a stray continuation
# byte, an overlong form, a surrogate, a truncated sequence) become U+FFFD.
printf 'caf\303\251 \342\202\254 \360\237\230\200|\200|\300\257|\355\240\200|\342\202\n' >"$G/10/context"
check_json json_utf8 "$(python3 -c '
import json, sys
e = json.loads(sys.argv[1])
e[2]["context"] = "caf\u00e9 \u20ac \U0001f600|\ufffd|\ufffd\ufffd|\ufffd\ufffd\ufffd|\ufffd\ufffd"
print(json.dumps(e))' "$json_exp")" --json --sysfs "$S"
cp "$tmp/context.save" "$G/10/context"

# A group directory that lost its files (the group went away while
# listing) is skipped, and non-numeric entries are ignored.
mkdir -p "$G/5" "$G/not-a-group"
check_table vanished_group "$tmp/table.exp" --sysfs "$S"
rmdir "$G/5" "$G/not-a-group"

# No groups at all: valid JSON "[]" and a bare table header.
E=$tmp/nogroups
mkdir -p "$E/kernel/isolation_groups"
check_json json_empty '[]' --json --sysfs "$E"
echo "GROUP  PROVIDER  MANAGER  STATE  DEVICES" >"$tmp/empty.exp"
check_table table_empty "$tmp/empty.exp" --sysfs "$E"

# No isolation_groups directory: error message and exit 1.
mkdir -p "$tmp/empty"
run --sysfs "$tmp/empty"
msg="lsisol: no isolation groups ($tmp/empty/kernel/isolation_groups): No such file or directory"
if [ "$rc" != 1 ]; then
	fail no_groups_dir "exit $rc, expected 1"
elif [ "$(cat "$tmp/err")" != "$msg" ]; then
	fail no_groups_dir "stderr '$(head -c 300 "$tmp/err")', expected '$msg'"
elif [ -s "$tmp/out" ]; then
	fail no_groups_dir "unexpected stdout: $(head -c 300 "$tmp/out")"
else
	ok no_groups_dir
fi

# check_error NAME RC MESSAGE ARGS...: exit status RC, MESSAGE alone on
# stderr, nothing on stdout.
check_error() {
	local name=$1 exp_rc=$2 msg=$3
	shift 3
	run "$@"
	if [ "$rc" != "$exp_rc" ]; then
		fail "$name" "exit $rc, expected $exp_rc"
	elif [ "$(cat "$tmp/err")" != "$msg" ]; then
		fail "$name" "stderr '$(head -c 300 "$tmp/err")', expected '$msg'"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "unexpected stdout: $(head -c 300 "$tmp/out")"
	else
		ok "$name"
	fi
}

# Fake sysfs tree with reasons ----------------------------------------------
S=$tmp/reasons
G=$S/kernel/isolation_groups
add_dev 0000:02:00.0
add_dev 0000:03:00.0 e1000
add_dev 0000:00:1f.0 serial
add_dev 0000:00:1f.2 ahci
add_dev 0001:03:00.0 vfio-pci
add_dev 0000:0a:00.0 e1000e
add_dev serial8250
add_group 0 intel-iommu "" unmanaged 0000:03:00.0 0000:02:00.0
# A quote and a backslash to escape, and a line for a device that is not
# in devices/ (it went away): skipped.
printf '%s\n' \
	'0000:02:00.0 peer-to-peer inside switch 0000:01:00.0 (downstream port 0000:02:01.0 without ACS)' \
	'0000:03:00.0 shares requester ID 0000:03:00.0 of "PCIe-to-PCI" bridge 0000:02:00.0 \x' \
	'0000:09:00.0 gone' >"$G/0/reasons"
# A device without a reason line next to one with.
add_group 1 intel-iommu "" unmanaged 0000:00:1f.2 0000:00:1f.0
echo '0000:00:1f.2 function of multifunction slot 0000:00:1f without ACS' \
	>"$G/1/reasons"
# A single device: empty file.
add_group 4 intel-iommu vfio managed 0001:03:00.0
: >"$G/4/reasons"
# A provider without reasons: no file.
add_group 5 intel-iommu "" unmanaged 0000:0a:00.0
add_group 6 test "" unmanaged serial8250

R0='    0000:02:00.0: peer-to-peer inside switch 0000:01:00.0 (downstream port 0000:02:01.0 without ACS)'
R0b='    0000:03:00.0: shares requester ID 0000:03:00.0 of "PCIe-to-PCI" bridge 0000:02:00.0 \x'
R1='    0000:00:1f.2: function of multifunction slot 0000:00:1f without ACS'
H='GROUP  PROVIDER     MANAGER  STATE      DEVICES'
ROW0='0      intel-iommu  -        unmanaged  0000:02:00.0(-) 0000:03:00.0(e1000)'
ROW1='1      intel-iommu  -        unmanaged  0000:00:1f.0(serial) 0000:00:1f.2(ahci)'
ROW4='4      intel-iommu  vfio     managed    0001:03:00.0(vfio-pci)'
ROW5='5      intel-iommu  -        unmanaged  0000:0a:00.0(e1000e)'
ROW6='6      test         -        unmanaged  serial8250(-)'
printf '%s\n' "$H" "$ROW0" "$R0" "$R0b" "$ROW1" "$R1" "$ROW4" "$ROW5" "$ROW6" \
	>"$tmp/reasons.exp"
check_table reasons_table "$tmp/reasons.exp" --sysfs "$S"

J0='{"id": 0, "provider": "intel-iommu", "manager": null, "state": "unmanaged",
  "devices": [{"name": "0000:02:00.0", "driver": null,
               "reason": "peer-to-peer inside switch 0000:01:00.0 (downstream port 0000:02:01.0 without ACS)"},
              {"name": "0000:03:00.0", "driver": "e1000",
               "reason": "shares requester ID 0000:03:00.0 of \"PCIe-to-PCI\" bridge 0000:02:00.0 \\x"}]}'
J1='{"id": 1, "provider": "intel-iommu", "manager": null, "state": "unmanaged",
  "devices": [{"name": "0000:00:1f.0", "driver": "serial", "reason": null},
              {"name": "0000:00:1f.2", "driver": "ahci",
               "reason": "function of multifunction slot 0000:00:1f without ACS"}]}'
J4='{"id": 4, "provider": "intel-iommu", "manager": "vfio", "state": "managed",
  "devices": [{"name": "0001:03:00.0", "driver": "vfio-pci", "reason": null}]}'
J5='{"id": 5, "provider": "intel-iommu", "manager": null, "state": "unmanaged",
  "devices": [{"name": "0000:0a:00.0", "driver": "e1000e", "reason": null}]}'
J6='{"id": 6, "provider": "test", "manager": null, "state": "unmanaged",
  "devices": [{"name": "serial8250", "driver": null, "reason": null}]}'
check_json reasons_json "[$J0, $J1, $J4, $J5, $J6]" --json --sysfs "$S"

# A device argument shows only the group(s) holding it.
printf '%s\n' "$H" "$ROW0" "$R0" "$R0b" >"$tmp/dev0.exp"
check_table dev_domain "$tmp/dev0.exp" --sysfs "$S" 0000:03:00.0
# Without a domain, it matches in every domain.
printf '%s\n' "$H" "$ROW0" "$R0" "$R0b" "$ROW4" >"$tmp/dev04.exp"
check_table dev_no_domain "$tmp/dev04.exp" --sysfs "$S" 03:00.0
printf '%s\n' 'GROUP  PROVIDER     MANAGER  STATE    DEVICES' \
	'4      intel-iommu  vfio     managed  0001:03:00.0(vfio-pci)' \
	>"$tmp/dev4.exp"
# Widths fit the rows shown.
check_table dev_other_domain "$tmp/dev4.exp" --sysfs "$S" 0001:03:00.0
# Hex digits in either case.
printf '%s\n' 'GROUP  PROVIDER     MANAGER  STATE      DEVICES' "$ROW5" \
	>"$tmp/dev5.exp"
check_table dev_upper_case "$tmp/dev5.exp" --sysfs "$S" 0A:00.0
check_table dev_upper_case_domain "$tmp/dev5.exp" --sysfs "$S" 0000:0A:00.0
printf '%s\n' 'GROUP  PROVIDER  MANAGER  STATE      DEVICES' \
	'6      test      -        unmanaged  serial8250(-)' >"$tmp/dev6.exp"
check_table dev_name "$tmp/dev6.exp" --sysfs "$S" serial8250
# Options after the device, JSON of the one group.
check_json dev_json "[$J1]" --sysfs "$S" 00:1f.2 --json
check_json dev_json_short_opt "[$J0, $J4]" -j -s "$S" 03:00.0

# A device in no group: exit 1, a message and nothing else, also in JSON.
for arg in 0000:04:00.0 04:00.0 0002:03:00.0 00:1f 1f.2 serial; do
	check_error "dev_none_$arg" 1 "lsisol: $arg: in no isolation group" \
		--sysfs "$S" "$arg"
done
check_error dev_none_json 1 "lsisol: 04:00.0: in no isolation group" \
	--json --sysfs "$S" 04:00.0

# A second argument is a usage error like an unknown option: exit 1.
run --sysfs "$S" 03:00.0 00:1f.2
if [ "$rc" != 1 ]; then
	fail two_devices "exit $rc, expected 1"
elif ! grep -qx "lsisol: unexpected argument '00:1f.2'" "$tmp/err" ||
	! grep -q '^Usage: lsisol .*\[DEVICE\]$' "$tmp/err"; then
	fail two_devices "stderr '$(head -c 300 "$tmp/err")'"
elif [ -s "$tmp/out" ]; then
	fail two_devices "unexpected stdout: $(head -c 300 "$tmp/out")"
else
	ok two_devices
fi

# A last line without its newline is read all the same.
cp "$G/1/reasons" "$tmp/reasons.save"
printf '%s' '0000:00:1f.2 function of multifunction slot 0000:00:1f without ACS' \
	>"$G/1/reasons"
check_table reasons_no_newline "$tmp/reasons.exp" --sysfs "$S"

# Malformed reasons: an error naming the file, exit 1, no output.
msg="lsisol: $G/1/reasons: Invalid argument"
i=0
for bad in '0000:00:1f.2' ' function of slot' '0000:00:1f.2 ' \
	'0000:00:1f.2 a\n0000:00:1f.2 b' '0000:00:1f.0 a\n0000:00:1f.2'; do
	i=$((i + 1))
	printf "$bad\n" >"$G/1/reasons"
	check_error "reasons_malformed_$i" 1 "$msg" --sysfs "$S"
done
printf '0000:00:1f.2\n' >"$G/1/reasons"
check_error reasons_malformed_json 1 "$msg" --json --sysfs "$S"
check_error reasons_malformed_device 1 "$msg" --sysfs "$S" 0000:0a:00.0
cp "$tmp/reasons.save" "$G/1/reasons"
check_table reasons_restored "$tmp/reasons.exp" --sysfs "$S"

# Overrides ----------------------------------------------------------------
# A group that a port declared isolating keeps apart, one that a port
# declared not isolating widens, and one with an empty overrides file.
S=$tmp/overrides
G=$S/kernel/isolation_groups
add_dev 0000:07:01.0 pcieport
add_dev 0000:08:00.0 vfio-pci
add_dev 0000:00:07.0 pcieport
add_dev 0000:01:00.0 e1000e
add_dev 0000:00:05.0 pcieport
add_group 3 amd-iommu vfio locked 0000:08:00.0 0000:07:01.0
printf '%s\n' '0000:07:00.0 isolating' '0000:07:01.0 isolating' >"$G/3/overrides"
printf '%s\n' \
	'0000:07:01.0 isolated by administrator override of 0000:07:00.0, 0000:07:01.0; shares iommu group 5 with 0000:08:00.0, which the IOMMU cannot split' \
	>"$G/3/reasons"
add_group 4 amd-iommu "" unmanaged 0000:00:07.0 0000:01:00.0
echo '0000:00:07.0 not_isolating' >"$G/4/overrides"
echo '0000:01:00.0 peer-to-peer below root port 0000:00:07.0 declared not isolating by administrator override' \
	>"$G/4/reasons"
add_group 9 amd-iommu "" unmanaged 0000:00:05.0
: >"$G/9/overrides"
H='GROUP  PROVIDER   MANAGER  STATE      DEVICES'
printf '%s\n' "$H" \
	'3      amd-iommu  vfio     locked     0000:07:01.0(pcieport) 0000:08:00.0(vfio-pci)' \
	'    0000:07:01.0: isolated by administrator override of 0000:07:00.0, 0000:07:01.0; shares iommu group 5 with 0000:08:00.0, which the IOMMU cannot split' \
	'    override: 0000:07:00.0 isolating' '    override: 0000:07:01.0 isolating' \
	'4      amd-iommu  -        unmanaged  0000:00:07.0(pcieport) 0000:01:00.0(e1000e)' \
	'    0000:01:00.0: peer-to-peer below root port 0000:00:07.0 declared not isolating by administrator override' \
	'    override: 0000:00:07.0 not_isolating' \
	'9      amd-iommu  -        unmanaged  0000:00:05.0(pcieport)' >"$tmp/overrides.exp"
check_table overrides_table "$tmp/overrides.exp" --sysfs "$S"
J3='{"id": 3, "provider": "amd-iommu", "manager": "vfio", "state": "locked",
  "overrides": [{"port": "0000:07:00.0", "declared": "isolating"},
                {"port": "0000:07:01.0", "declared": "isolating"}],
  "devices": [{"name": "0000:07:01.0", "driver": "pcieport",
               "reason": "isolated by administrator override of 0000:07:00.0, 0000:07:01.0; shares iommu group 5 with 0000:08:00.0, which the IOMMU cannot split"},
              {"name": "0000:08:00.0", "driver": "vfio-pci", "reason": null}]}'
J4='{"id": 4, "provider": "amd-iommu", "manager": null, "state": "unmanaged",
  "overrides": [{"port": "0000:00:07.0", "declared": "not_isolating"}],
  "devices": [{"name": "0000:00:07.0", "driver": "pcieport", "reason": null},
              {"name": "0000:01:00.0", "driver": "e1000e",
               "reason": "peer-to-peer below root port 0000:00:07.0 declared not isolating by administrator override"}]}'
J9='{"id": 9, "provider": "amd-iommu", "manager": null, "state": "unmanaged",
  "overrides": [],
  "devices": [{"name": "0000:00:05.0", "driver": "pcieport", "reason": null}]}'
check_json overrides_json "[$J3, $J4, $J9]" --json --sysfs "$S"
check_json overrides_dev_json "[$J4]" --json --sysfs "$S" 01:00.0
# A line that is not "<port> <declared>": an error naming the file.
msg="lsisol: $G/4/overrides: Invalid argument"
i=0
for bad in '0000:00:07.0' '0000:00:07.0 not isolating' ' not_isolating' '0000:00:07.0 '; do
	i=$((i + 1))
	printf '%s\n' "$bad" >"$G/4/overrides"
	check_error "overrides_malformed_$i" 1 "$msg" --json --sysfs "$S"
done

# --help and -h exit 0 with the usage on stdout.
for opt in help:--help help_short_opt:-h; do
	run "${opt#*:}"
	if [ "$rc" != 0 ]; then
		fail "${opt%%:*}" "exit $rc"
	elif ! grep -q '^Usage: lsisol' "$tmp/out"; then
		fail "${opt%%:*}" "no usage on stdout"
	else
		ok "${opt%%:*}"
	fi
done

# An unknown option is an error.
run --bogus
if [ "$rc" = 0 ]; then
	fail bad_option "exit 0 for an unknown option"
else
	ok bad_option
fi

exit $failed

#!/bin/sh
# Prints every isolation group with its provider, manager, state and devices.
[ -d /sys/kernel/isolation_groups ] || { echo "no /sys/kernel/isolation_groups"; exit 0; }
insmod /lib/modules/isolation_test_provider.ko 2>/dev/null
printf '%-6s %-10s %-8s %-10s %s\n' GROUP PROVIDER MANAGER STATE DEVICES
for g in $(ls /sys/kernel/isolation_groups | sort -n); do
	d=/sys/kernel/isolation_groups/$g
	devs=""
	for l in "$d"/devices/*; do
		[ -e "$l" ] || continue
		n=${l##*/}
		drv=-
		[ -e "$l/driver" ] && drv=$(basename "$(readlink "$l/driver")")
		devs="$devs $n($drv)"
	done
	printf '%-6s %-10s %-8s %-10s %s\n' "$g" "$(cat $d/provider)" \
		"$(cat $d/manager)" "$(cat $d/state)" "${devs# }"
done
echo "iommu groups (the kernel's own):"
for g in $(ls /sys/kernel/iommu_groups 2>/dev/null | sort -n); do
	echo "  $g: $(ls /sys/kernel/iommu_groups/$g/devices | tr '\n' ' ')"
done

#!/bin/sh
# Prints the isolation groups with lsisol, then the kernel's own iommu groups.
echo ISOTEST-SHOW-BEGIN
if [ -x /bin/lsisol ]; then
	lsisol
else
	echo "lsisol missing from the initramfs"
fi
echo "iommu groups (the kernel's own):"
for g in $(ls /sys/kernel/iommu_groups 2>/dev/null | sort -n); do
	echo "  $g: $(ls /sys/kernel/iommu_groups/$g/devices | tr '\n' ' ')"
done
echo "reasons:"
for g in /sys/kernel/isolation_groups/*; do
	[ -s "$g/reasons" ] && sed "s|^|  ${g##*/}: |" "$g/reasons"
done
echo ISOTEST-SHOW-END

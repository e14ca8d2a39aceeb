#!/bin/sh
# Guest tests of VFIO as the manager of isolation groups, on
# topology_vfio: the C program vfio-isolation drives VFIO and checks the
# groups; afterwards every device must still be linked to its group and
# nothing may have leaked.
. /tests/lib.sh

# For the program's fail_nth checks.
fault_arm N || echo "ISOTEST: not ok - fault-arm: cannot arm fault injection"
/bin/vfio-isolation
check vfio-links t_links
check vfio-kmemleak t_kmemleak

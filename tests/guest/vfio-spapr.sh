#!/bin/sh
# Guest tests of VFIO as the manager of isolation groups on pseries,
# through the sPAPR TCE backend, on topology_pseries: the C program
# vfio-spapr drives VFIO and checks the groups; afterwards every device
# must still be linked to its group and nothing may have leaked.
. /tests/lib.sh

/bin/vfio-spapr
check vfio-links t_links
check vfio-kmemleak t_kmemleak

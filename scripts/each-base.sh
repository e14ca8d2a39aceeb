#!/usr/bin/env bash
# each-base.sh COMMAND [ARG...]: runs COMMAND once for every base of the
# series (bases/, the primary first; see scripts/lib.sh) with BASE set to
# it, and stops at the first that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ $# -gt 0 ] || die "usage: each-base.sh COMMAND [ARG...]"
for b in "${all_bases[@]}"; do
	BASE=$b "$@" || die "$* failed for base $b"
done

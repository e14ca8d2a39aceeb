#!/usr/bin/env bash
# Runs the KUnit suites of drivers/base/test (the driver core's own, the
# property entry suite and the isolation groups benchmark with them) under
# UML, from the tree of the selected base (BASE=NAME, scripts/lib.sh),
# built in build/kunit (build/kunit-NAME for a base other than the primary).  Arguments go to
# "kunit.py run", e.g. a filter glob:  kunit-uml.sh 'isolation_groups_bench'
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
. scripts/lib.sh
cd "$tree"
exec ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/base/test \
	--kconfig_add CONFIG_ISOLATION_KUNIT_BENCH=y \
	--kconfig_add CONFIG_DRIVER_PE_KUNIT_TEST=y \
	--build_dir="$top/build/kunit$build_suffix" --jobs="$(nproc)" \
	--make_options "CC=ccache gcc" "$@"

#!/usr/bin/env bash
# Runs the KUnit suites of drivers/base/test (with the isolation groups
# benchmark) under UML, built in build/kunit.  Arguments go to
# "kunit.py run", e.g. a filter glob:  kunit-uml.sh 'isolation_groups_bench'
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
cd build/linux
exec ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/base/test \
	--kconfig_add CONFIG_ISOLATION_KUNIT_BENCH=y \
	--build_dir="$top/build/kunit" --jobs="$(nproc)" \
	--make_options "CC=ccache gcc" "$@"

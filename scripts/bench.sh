#!/usr/bin/env bash
# make bench: the KUnit benchmark isolation_groups_bench under UML, which
# times driver_match_device() against the bus's match callback alone in one
# run; prints its figures (kunit.py's output is in build/logs/bench.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/logs
scripts/kunit-uml.sh 'isolation_groups_bench' >build/logs/bench.txt 2>&1 ||
	{ tail -n 30 build/logs/bench.txt; exit 1; }
grep -E '^ *# iso_bench_[a-z_]+: ' build/kunit/test.log | sed 's/^ *# iso_bench_[a-z_]*: //'

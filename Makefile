# Builds and tests the isolation groups series; the scripts do the work.
#   make          build the guest kernel and show its isolation groups
#   make check    run every test
# See README.md for the other targets.
SHELL := /bin/bash

all: guest
	scripts/guest-run.sh --show

deps:
	scripts/deps.sh

tree: deps
	scripts/assemble.sh

guest: tree
	scripts/guest-build.sh

check: tree
	scripts/check.sh

series: tree
	scripts/series.sh

refresh:
	scripts/refresh.sh

bench: tree
	scripts/bench.sh

# The concurrency stress for ten minutes (make check runs it for one).
stress: guest
	STRESS_SECONDS=$${STRESS_SECONDS:-600} GUEST_TIMEOUT=$${GUEST_TIMEOUT:-1200} scripts/check.sh stress-intel

# clean keeps the kernel trees (build/linux*) and the compiler cache.
clean:
	rm -rf out
	[ ! -d build ] || find build -mindepth 1 -maxdepth 1 ! -name 'linux*' ! -name ccache -exec rm -rf {} +

distclean:
	rm -rf build out

.PHONY: all deps tree guest check series refresh bench stress clean distclean

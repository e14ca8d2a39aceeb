# Builds and tests the isolation groups series; the scripts do the work.
#   make          build the guest kernel and show its isolation groups
#   make check    run every test (on mainline, and a part of them on the LTS)
# See README.md for the other targets.
SHELL := /bin/bash
# ccache hashes paths below the checkout relative to it, so that the kernel
# builds of another checkout on the machine (a fresh clone) hit its cache.
export CCACHE_BASEDIR := $(CURDIR)

all: guest
	scripts/guest-run.sh --show

deps:
	scripts/deps.sh

# Every base's tree: build/linux (mainline) and build/linux-6.12 (the LTS).
tree: deps
	scripts/each-base.sh scripts/assemble.sh

guest: tree
	scripts/guest-build.sh

check: tree
	scripts/check.sh

# The whole of make check on the LTS (build/linux-6.12) instead of mainline.
check-lts: tree
	BASE=6.12 scripts/check.sh

# Does each patch of each series build (the guest kernel, incrementally)
# and pass checkpatch on its own?  Not part of make check.
bisect-check: tree
	rc=0; for b in $$(bash -c '. scripts/lib.sh && echo "$${all_bases[*]}"'); do \
		BASE=$$b scripts/bisect-check.sh || rc=1; done; exit $$rc

# Does the series assemble on what Debian's archive serves today?
check-base: deps
	scripts/each-base.sh scripts/check-base.sh

# out/series (mainline) and out/series-6.12 (the LTS).
series: tree
	scripts/each-base.sh scripts/series.sh

# From build/linux; BASE=6.12 from build/linux-6.12.
refresh:
	scripts/refresh.sh

bench: guest
	scripts/bench.sh

# The concurrency stress for ten minutes, 20000 rounds of the race of a
# foreign bind with set_manager and every hot-add fault case (make check
# runs one minute, 2000 rounds and the quicker hot-add case).
stress: guest
	STRESS_SECONDS=$${STRESS_SECONDS:-600} RACE_ROUNDS=$${RACE_ROUNDS:-20000} FAULT_ALL=1 \
		GUEST_TIMEOUT=$${GUEST_TIMEOUT:-1800} scripts/check.sh stress-intel guest intel-switches

# clean keeps the kernel trees (build/linux*) and the compiler cache.
clean:
	rm -rf out
	[ ! -d build ] || find build -mindepth 1 -maxdepth 1 ! -name 'linux*' ! -name ccache -exec rm -rf {} +

distclean:
	rm -rf build out

.PHONY: all deps tree guest check check-lts bisect-check check-base series refresh bench stress clean distclean

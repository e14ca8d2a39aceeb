// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races the binding of a foreign driver with handing the device's group to
 * a manager, ROUNDS times:
 *
 *	bind-race DEVICE DRIVER GROUP MANAGE RELEASE ROUNDS
 *
 * DEVICE (a PCI device name) must be unbound, alone in isolation group
 * GROUP, and matched by DRIVER (through driver_override).  In each round
 * one thread writes DEVICE to DRIVER's bind file while the other writes
 * GROUP to MANAGE (the test provider's parameter); once both are done,
 * nothing else changes the device, so the group must read "managed" if
 * DRIVER is bound and "locked" if it is not: never locked with a foreign
 * driver.  Then GROUP is written to RELEASE and DEVICE unbound.  Prints
 * how often each side won; exits 1 at the first broken round.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *device, *driver, *group, *manage, *release;
static char bind_path[256], unbind_path[256], state_path[256], link_path[256];
static pthread_barrier_t start, done;
static int bind_errno;

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

static void read_state(char *buf, size_t len)
{
	int fd = open(state_path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int bound(void)
{
	char target[256];

	return readlink(link_path, target, sizeof(target)) > 0;
}

static void *binder(void *arg)
{
	long rounds = (long)arg, i;

	for (i = 0; i < rounds; i++) {
		pthread_barrier_wait(&start);
		bind_errno = write_file(bind_path, device);
		pthread_barrier_wait(&done);
		/* The main thread checks and resets the round. */
		pthread_barrier_wait(&start);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds, i, bind_won = 0, manage_won = 0;
	pthread_t thread;
	char state[32];
	int ret;

	if (argc != 7) {
		fprintf(stderr, "usage: %s DEVICE DRIVER GROUP MANAGE RELEASE ROUNDS\n",
			argv[0]);
		return 2;
	}
	device = argv[1];
	driver = argv[2];
	group = argv[3];
	manage = argv[4];
	release = argv[5];
	rounds = atol(argv[6]);
	snprintf(bind_path, sizeof(bind_path), "/sys/bus/pci/drivers/%s/bind", driver);
	snprintf(unbind_path, sizeof(unbind_path), "/sys/bus/pci/drivers/%s/unbind", driver);
	snprintf(state_path, sizeof(state_path), "/sys/kernel/isolation_groups/%s/state", group);
	snprintf(link_path, sizeof(link_path), "/sys/bus/pci/devices/%s/driver", device);
	if (bound()) {
		fprintf(stderr, "%s is bound\n", device);
		return 2;
	}

	pthread_barrier_init(&start, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	if (pthread_create(&thread, NULL, binder, (void *)rounds))
		return 2;

	for (i = 0; i < rounds; i++) {
		pthread_barrier_wait(&start);
		ret = write_file(manage, group);
		pthread_barrier_wait(&done);
		if (ret) {
			printf("round %ld: manage refused: %s\n", i, strerror(ret));
			return 1;
		}
		read_state(state, sizeof(state));
		if (bound()) {
			bind_won++;
			if (strcmp(state, "managed")) {
				printf("round %ld: %s bound and the group %s\n",
				       i, driver, state);
				return 1;
			}
		} else {
			manage_won++;
			if (strcmp(state, "locked") || bind_errno == 0) {
				printf("round %ld: unbound, the group %s, bind returned %s\n",
				       i, state, strerror(bind_errno));
				return 1;
			}
		}
		ret = write_file(release, group);
		if (!ret && bound())
			ret = write_file(unbind_path, device);
		if (ret) {
			printf("round %ld: reset failed: %s\n", i, strerror(ret));
			return 1;
		}
		pthread_barrier_wait(&start);
	}
	pthread_join(thread, NULL);
	printf("%ld rounds: the bind won %ld, the manager won %ld\n",
	       rounds, bind_won, manage_won);
	return 0;
}

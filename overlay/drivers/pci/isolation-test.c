// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the PCI isolation rules on the PCI devices of the running
 * machine: the root complex of QEMU's q35 (host bridge 00:00.0, the
 * multifunction slot 00:1f without ACS).  They place devices with a provider
 * of their own, so they skip where the devices are missing or already in a
 * group of another provider (an IOMMU's).
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/iommu.h>
#include <linux/isolation.h>
#include <linux/kernfs.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>

#include "pci.h"

static struct isolation_provider pci_iso_test_provider = {
	.name = "pci-kunit",
};

/**
 * struct pci_iso_test_ctx - the devices of one test and what to undo
 * @host: the host bridge, 00:00.0.
 * @lpc: function 0 of the multifunction slot 00:1f.
 * @sata: function 2 of the slot 00:1f.
 * @alias_mask: whether @sata had a DMA alias mask before the test.
 */
struct pci_iso_test_ctx {
	struct pci_dev *host;
	struct pci_dev *lpc;
	struct pci_dev *sata;
	bool alias_mask;
};

static void pci_iso_test_exit(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;

	if (!ctx)
		return;
	isolation_provider_unregister(&pci_iso_test_provider);
	if (ctx->sata && !ctx->alias_mask) {
		bitmap_free(ctx->sata->dma_alias_mask);
		ctx->sata->dma_alias_mask = NULL;
	}
	pci_dev_put(ctx->host);
	pci_dev_put(ctx->lpc);
	pci_dev_put(ctx->sata);
}

static struct pci_dev *pci_iso_test_dev(struct kunit *test, unsigned int slot,
					unsigned int fn)
{
	struct pci_dev *pdev;

	pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(slot, fn));
	if (pdev && rcu_access_pointer(pdev->dev.isolation_group)) {
		pci_dev_put(pdev);
		return NULL;
	}
	return pdev;
}

static int pci_iso_test_init(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	ctx->host = pci_iso_test_dev(test, 0, 0);
	ctx->lpc = pci_iso_test_dev(test, 0x1f, 0);
	ctx->sata = pci_iso_test_dev(test, 0x1f, 2);
	if (!ctx->host || !ctx->lpc || !ctx->sata)
		return 0;
	ctx->alias_mask = ctx->sata->dma_alias_mask;
	return isolation_provider_register(&pci_iso_test_provider);
}

static void pci_iso_test_need_devices(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;

	if (!ctx->host || !ctx->lpc || !ctx->sata)
		kunit_skip(test, "no q35 root complex devices outside any group");
}

static int pci_iso_test_group_id(struct pci_dev *pdev)
{
	struct isolation_group *group;
	int id;

	group = isolation_group_get_from_dev(&pdev->dev);
	id = group ? isolation_group_id(group) : -1;
	isolation_group_put(group);
	return id;
}

/* Functions of one slot without ACS share a group, in either order. */
static void pci_iso_test_functions(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;
	char buf[128];

	pci_iso_test_need_devices(test);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->sata), 0);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->lpc), 0);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->host), 0);
	KUNIT_EXPECT_GE(test, pci_iso_test_group_id(ctx->lpc), 0);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->lpc),
			pci_iso_test_group_id(ctx->sata));
	KUNIT_EXPECT_NE(test, pci_iso_test_group_id(ctx->host),
			pci_iso_test_group_id(ctx->lpc));

	/* Placed twice: nothing changes. */
	KUNIT_EXPECT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->lpc), 0);

	KUNIT_EXPECT_GT(test, pci_isolation_reason(ctx->lpc, buf, sizeof(buf)),
			0);
	KUNIT_EXPECT_STREQ(test, buf,
			   "function of multifunction slot 0000:00:1f without ACS");
	KUNIT_EXPECT_EQ(test, pci_isolation_reason(ctx->host, buf, sizeof(buf)),
			0);
	KUNIT_EXPECT_STREQ(test, buf, "");
}

/*
 * A device that DMA alias quirks tie to two groups is left out of both,
 * which stay as they are.
 */
static void pci_iso_test_link_refused(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;
	int host_id, lpc_id;
	char buf[128];

	pci_iso_test_need_devices(test);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->host), 0);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->lpc), 0);
	host_id = pci_iso_test_group_id(ctx->host);
	lpc_id = pci_iso_test_group_id(ctx->lpc);
	KUNIT_ASSERT_NE(test, host_id, lpc_id);

	/* 00:1f.2 is a function of 00:1f.0's slot and now aliases 00:00.0. */
	/* As pci_add_dma_alias() would, which modules cannot call. */
	if (!ctx->sata->dma_alias_mask)
		ctx->sata->dma_alias_mask = bitmap_zalloc(MAX_NR_DEVFNS,
							  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->sata->dma_alias_mask);
	set_bit(ctx->host->devfn, ctx->sata->dma_alias_mask);
	KUNIT_EXPECT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->sata), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->sata), -1);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->host), host_id);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->lpc), lpc_id);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(ctx->sata->dev.isolation_group));

	KUNIT_EXPECT_GT(test, pci_isolation_reason(ctx->host, buf, sizeof(buf)),
			0);
	KUNIT_EXPECT_STREQ(test, buf, "DMA alias quirk with 0000:00:1f.2");
}

static void pci_iso_test_misuse(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;
	char buf[8];

	pci_iso_test_need_devices(test);
	KUNIT_EXPECT_EQ(test, pci_isolation_add_device(NULL, ctx->host),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_isolation_reason(NULL, buf, sizeof(buf)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pci_isolation_reason(ctx->host, buf, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->host), -1);

	/* A short buffer cuts the reason. */
	KUNIT_EXPECT_EQ(test, pci_isolation_reason(ctx->lpc, buf, sizeof(buf)),
			(ssize_t)sizeof(buf) - 1);
	KUNIT_EXPECT_STREQ(test, buf, "functio");
}

/*
 * A provider whose IOMMU translates the root complex's host bridge and slot
 * 1f, the host bridge and 00:1f.0 with one context of its own: a
 * partitionable endpoint in miniature.
 */
static char pci_iso_context_key;

static bool pci_iso_context_translates(struct pci_dev *pdev)
{
	return pci_domain_nr(pdev->bus) == 0 && pci_is_root_bus(pdev->bus) &&
	       (pdev->devfn == PCI_DEVFN(0, 0) || PCI_SLOT(pdev->devfn) == 0x1f);
}

static const void *pci_iso_context_of(struct pci_dev *pdev)
{
	if (pci_iso_context_translates(pdev) &&
	    (pdev->devfn == PCI_DEVFN(0, 0) || pdev->devfn == PCI_DEVFN(0x1f, 0)))
		return &pci_iso_context_key;
	return NULL;
}

static ssize_t pci_iso_context_reason(struct pci_dev *pdev, char *buf,
				      size_t size)
{
	return scnprintf(buf, size, "shares the test context");
}

static struct pci_isolation_provider pci_iso_context_provider = {
	.provider.name = "pci-kunit-context",
	.translates = pci_iso_context_translates,
	.walk_ids = pci_isolation_walk_rids,
	.id_format = PCI_ISOLATION_ID_RID,
	.context = pci_iso_context_of,
	.context_reason = pci_iso_context_reason,
};

static void pci_iso_context_unregister(void *unused)
{
	pci_isolation_provider_unregister(&pci_iso_context_provider);
}

/*
 * Devices of one context share a group that the topology would not give
 * them (the host bridge is alone by the rules), with the devices the rules
 * put beside them (the other functions of slot 1f); devices without a
 * context keep the topology's groups.
 */
static void pci_iso_test_context(struct kunit *test)
{
	struct pci_iso_test_ctx *ctx = test->priv;
	char buf[128];
	int ret;

	pci_iso_test_need_devices(test);
	KUNIT_ASSERT_EQ(test, pci_isolation_reason(ctx->host, buf, sizeof(buf)),
			0);
	KUNIT_ASSERT_EQ(test,
			pci_isolation_provider_register(&pci_iso_context_provider),
			0);
	ret = kunit_add_action_or_reset(test, pci_iso_context_unregister, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_GE(test, pci_iso_test_group_id(ctx->host), 0);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->host),
			pci_iso_test_group_id(ctx->lpc));
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->sata),
			pci_iso_test_group_id(ctx->lpc));

	/* Removed and placed again, the host bridge finds its context. */
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(&ctx->host->dev), 0);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->host), -1);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_context_provider.provider,
						       ctx->host), 0);
	KUNIT_EXPECT_EQ(test, pci_iso_test_group_id(ctx->host),
			pci_iso_test_group_id(ctx->lpc));

	/* A plain provider's placing ignores the contexts of another. */
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(&ctx->host->dev), 0);
	KUNIT_ASSERT_EQ(test, pci_isolation_add_device(&pci_iso_test_provider,
						       ctx->host), 0);
	KUNIT_EXPECT_NE(test, pci_iso_test_group_id(ctx->host),
			pci_iso_test_group_id(ctx->lpc));
}

static struct kunit_case pci_iso_test_cases[] = {
	KUNIT_CASE(pci_iso_test_functions),
	KUNIT_CASE(pci_iso_test_link_refused),
	KUNIT_CASE(pci_iso_test_misuse),
	KUNIT_CASE(pci_iso_test_context),
	{}
};

static struct kunit_suite pci_iso_test_suite = {
	.name = "pci_isolation",
	.init = pci_iso_test_init,
	.exit = pci_iso_test_exit,
	.test_cases = pci_iso_test_cases,
};

/*
 * Registering a PCI provider with its Nth allocation failing (fail_nth),
 * for N = 1, 2, ... until registration completes without reaching the Nth
 * allocation: each failed registration returns -ENOMEM and leaves no group
 * and no link behind, and each successful one places every PCI device that
 * is in no group.  This is what the IOMMU drivers' providers do at boot.
 * Skipped unless fault injection is armed for sleeping allocations when
 * the module loads (see the isolation_fault suite in
 * drivers/base/test/isolation-test.c).
 */
#define PCI_ISO_FAULT_MAX_NTH 10000
#define PCI_ISO_FAULT_MAX_ID 1024

#ifdef CONFIG_FAULT_INJECTION
static void pci_iso_fault_arm(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

static bool pci_iso_fault_disarm(void)
{
	bool injected = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return injected;
}
#else
static void pci_iso_fault_arm(unsigned int nth) { }
static bool pci_iso_fault_disarm(void) { return false; }
#endif

static bool pci_iso_fault_translates(struct pci_dev *pdev)
{
	return true;
}

static struct pci_isolation_provider pci_iso_fault_provider = {
	.provider.name = "pci-kunit-fault",
	.translates = pci_iso_fault_translates,
	.walk_ids = pci_isolation_walk_rids,
	.id_format = PCI_ISOLATION_ID_RID,
};

/* The number of groups of @prov, found by id. */
static unsigned int pci_iso_fault_groups(struct isolation_provider *prov)
{
	struct isolation_group *group;
	unsigned int n = 0;
	int id;

	for (id = 0; id < PCI_ISO_FAULT_MAX_ID; id++) {
		group = isolation_group_get_by_id(id);
		if (group && isolation_group_provider(group) == prov)
			n++;
		isolation_group_put(group);
	}
	return n;
}

/* Whether @pdev has an isolation_group link. */
static bool pci_iso_fault_linked(struct pci_dev *pdev)
{
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(pdev->dev.kobj.sd, "isolation_group");
	kernfs_put(kn);
	return !!kn;
}

static void pci_iso_fault_check(struct kunit *test, int ret)
{
	struct isolation_provider *prov = &pci_iso_fault_provider.provider;
	struct isolation_group *group;
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		group = isolation_group_get_from_dev(&pdev->dev);
		if (ret)
			KUNIT_EXPECT_PTR_NE(test, isolation_group_provider(group),
					    prov);
		else
			KUNIT_EXPECT_NOT_NULL_MSG(test, group, "%s left out",
						  pci_name(pdev));
		KUNIT_EXPECT_EQ(test, pci_iso_fault_linked(pdev), !!group);
		isolation_group_put(group);
	}
	if (ret)
		KUNIT_EXPECT_EQ(test, pci_iso_fault_groups(prov), 0);
}

static void pci_iso_fault_register(struct kunit *test)
{
	struct isolation_provider *prov = &pci_iso_fault_provider.provider;
	unsigned int nth, groups = 0;
	bool injected;
	void *p;
	int ret;

	pci_iso_fault_arm(1);
	p = kmalloc(16, GFP_KERNEL);
	injected = pci_iso_fault_disarm();
	kfree(p);
	if (p || !injected)
		kunit_skip(test, "fault injection not armed for sleeping allocations");

	for (nth = 1; nth <= PCI_ISO_FAULT_MAX_NTH; nth++) {
		pci_iso_fault_arm(nth);
		ret = pci_isolation_provider_register(&pci_iso_fault_provider);
		injected = pci_iso_fault_disarm();
		if (ret) {
			KUNIT_EXPECT_TRUE(test, injected);
			KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		}
		pci_iso_fault_check(test, ret);
		if (!ret) {
			groups = pci_iso_fault_groups(prov);
			pci_isolation_provider_unregister(&pci_iso_fault_provider);
			KUNIT_EXPECT_EQ(test, pci_iso_fault_groups(prov), 0);
		}
		if (!injected) {
			kunit_info(test, "%u injection points, %u groups\n",
				   nth - 1, groups);
			return;
		}
	}
	KUNIT_FAIL(test, "more than %d injection points",
		   PCI_ISO_FAULT_MAX_NTH);
}

static struct kunit_case pci_iso_fault_cases[] = {
	KUNIT_CASE_SLOW(pci_iso_fault_register),
	{}
};

static struct kunit_suite pci_iso_fault_suite = {
	.name = "pci_isolation_fault",
	.test_cases = pci_iso_fault_cases,
};

/*
 * Grouping the whole machine: pci_isolation_provider_register(), which
 * places every PCI device, against the IOMMU core's pci_device_group() on
 * every device (each then in a new iommu group, put at once), in
 * alternating rounds of one run, the fastest of each kept.  Needs a machine
 * whose PCI devices are in no isolation group and no iommu group (booted
 * with intel_iommu=off); prints the figures, checks only that every device
 * was placed.
 */
#define PCI_ISO_BENCH_ROUNDS 3

#ifdef CONFIG_IOMMU_API
static u64 pci_iso_bench_iommu(unsigned int *n)
{
	struct iommu_group *group;
	struct pci_dev *pdev = NULL;
	u64 start = ktime_get_ns();

	*n = 0;
	for_each_pci_dev(pdev) {
		group = pci_device_group(&pdev->dev);
		if (IS_ERR_OR_NULL(group))
			continue;
		iommu_group_put(group);
		(*n)++;
	}
	return ktime_get_ns() - start;
}
#else
static u64 pci_iso_bench_iommu(unsigned int *n)
{
	*n = 0;
	return 0;
}
#endif

static void pci_iso_bench_grouping(struct kunit *test)
{
	struct isolation_provider *prov = &pci_iso_fault_provider.provider;
	u64 iso = U64_MAX, iommu = U64_MAX, start, ratio;
	struct iommu_group *group;
	struct pci_dev *pdev = NULL;
	unsigned int n = 0, placed, groups = 0, round;

	if (!IS_ENABLED(CONFIG_IOMMU_API))
		kunit_skip(test, "no IOMMU API");
	for_each_pci_dev(pdev) {
		group = iommu_group_get(&pdev->dev);
		iommu_group_put(group);
		if (group || rcu_access_pointer(pdev->dev.isolation_group)) {
			pci_dev_put(pdev);
			kunit_skip(test, "%s is in a group already", pci_name(pdev));
		}
		n++;
	}

	for (round = 0; round < PCI_ISO_BENCH_ROUNDS; round++) {
		cond_resched();
		start = ktime_get_ns();
		KUNIT_ASSERT_EQ(test, pci_isolation_provider_register(&pci_iso_fault_provider), 0);
		iso = min(iso, ktime_get_ns() - start);
		pci_iso_fault_check(test, 0);
		groups = pci_iso_fault_groups(prov);
		pci_isolation_provider_unregister(&pci_iso_fault_provider);

		cond_resched();
		iommu = min(iommu, pci_iso_bench_iommu(&placed));
		KUNIT_EXPECT_EQ(test, placed, n);
	}
	ratio = div64_u64(iso * 100, max_t(u64, iommu, 1));
	kunit_info(test, "%u devices, %u isolation groups: isolation %llu us (%llu ns a device), pci_device_group() %llu us (%llu ns a device), ratio %llu.%02llu\n",
		   n, groups, div_u64(iso, 1000), div_u64(iso, max(n, 1U)),
		   div_u64(iommu, 1000), div_u64(iommu, max(n, 1U)),
		   ratio / 100, ratio % 100);
}

static struct kunit_case pci_iso_bench_cases[] = {
	KUNIT_CASE_SLOW(pci_iso_bench_grouping),
	{}
};

static struct kunit_suite pci_iso_bench_suite = {
	.name = "pci_isolation_bench",
	.test_cases = pci_iso_bench_cases,
};

kunit_test_suites(&pci_iso_test_suite, &pci_iso_fault_suite,
		  &pci_iso_bench_suite);

MODULE_DESCRIPTION("KUnit tests of the PCI isolation rules");
MODULE_LICENSE("GPL");

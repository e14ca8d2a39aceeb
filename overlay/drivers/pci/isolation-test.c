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
#include <linux/isolation.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>

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
	pci_add_dma_alias(ctx->sata, ctx->host->devfn, 1);
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

static struct kunit_case pci_iso_test_cases[] = {
	KUNIT_CASE(pci_iso_test_functions),
	KUNIT_CASE(pci_iso_test_link_refused),
	KUNIT_CASE(pci_iso_test_misuse),
	{}
};

static struct kunit_suite pci_iso_test_suite = {
	.name = "pci_isolation",
	.init = pci_iso_test_init,
	.exit = pci_iso_test_exit,
	.test_cases = pci_iso_test_cases,
};

kunit_test_suite(pci_iso_test_suite);

MODULE_DESCRIPTION("KUnit tests of the PCI isolation rules");
MODULE_LICENSE("GPL");

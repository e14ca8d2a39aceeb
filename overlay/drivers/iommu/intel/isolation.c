// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation group provider for Intel VT-d.
 *
 * VT-d tells devices apart by the requester ID of their DMA, one context
 * entry each.  The groups of the PCI devices behind a VT-d unit follow the
 * rules of the PCI topology that every provider shares
 * (drivers/pci/isolation.c); each group shows the requester IDs, with their
 * aliases, that its devices use: its context entries.
 */

#define pr_fmt(fmt) "DMAR: isolation: " fmt

#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "iommu.h"

static int intel_isolation_rid_cb(struct pci_dev *pdev, u16 alias, void *opaque)
{
	u32 **pos = opaque;

	*(*pos)++ = (u32)pci_domain_nr(pdev->bus) << 16 | alias;
	return 0;
}

/* Requester IDs, with the aliases, of the PCI devices of a group. */
struct intel_isolation_rids {
	u32 *rid;
	unsigned int nr;
	unsigned int max;
};

static int intel_isolation_count_cb(struct pci_dev *pdev, u16 alias,
				    void *opaque)
{
	(*(unsigned int *)opaque)++;
	return 0;
}

static int intel_isolation_collect(struct device *dev, void *data)
{
	struct intel_isolation_rids *rids = data;
	unsigned int n = 0;
	u32 *pos;

	if (!dev_is_pci(dev))
		return 0;

	pci_for_each_dma_alias(to_pci_dev(dev), intel_isolation_count_cb, &n);
	if (rids->nr + n > rids->max)
		return -E2BIG;
	pos = rids->rid + rids->nr;
	pci_for_each_dma_alias(to_pci_dev(dev), intel_isolation_rid_cb, &pos);
	rids->nr = pos - rids->rid;
	return 0;
}

static int intel_isolation_cmp_rid(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* One "SSSS:BB:DD.F" requester ID per line, sorted, without repeats. */
static ssize_t requester_ids_show(struct isolation_group *group, char *buf)
{
	/* Each line takes 13 bytes: that many fill a page. */
	struct intel_isolation_rids rids = { .max = PAGE_SIZE / 13 };
	unsigned int i;
	ssize_t len = 0;
	int ret;

	rids.rid = kcalloc(rids.max, sizeof(*rids.rid), GFP_KERNEL);
	if (!rids.rid)
		return -ENOMEM;

	ret = isolation_group_walk_devices(group, &rids,
					   intel_isolation_collect);
	if (ret) {
		kfree(rids.rid);
		return ret;
	}

	sort(rids.rid, rids.nr, sizeof(*rids.rid), intel_isolation_cmp_rid,
	     NULL);
	for (i = 0; i < rids.nr; i++) {
		u32 rid = rids.rid[i];

		if (i && rid == rids.rid[i - 1])
			continue;
		len += sysfs_emit_at(buf, len, "%04x:%02x:%02x.%d\n", rid >> 16,
				     PCI_BUS_NUM(rid), PCI_SLOT(rid & 0xff),
				     PCI_FUNC(rid & 0xff));
	}
	kfree(rids.rid);
	return len;
}
static ISOLATION_GROUP_ATTR_RO(requester_ids);

static struct attribute *intel_isolation_attrs[] = {
	&isolation_group_attr_requester_ids.attr,
	NULL,
};

static const struct attribute_group intel_isolation_group = {
	.attrs = intel_isolation_attrs,
};

static const struct attribute_group *intel_isolation_groups[] = {
	&intel_isolation_group,
	&pci_isolation_attr_group,
	NULL,
};

static struct isolation_provider intel_isolation_provider = {
	.name = "intel-iommu",
	.group_groups = intel_isolation_groups,
};

/* Puts @pdev in its group, if it is behind a VT-d unit. */
static int intel_isolation_add_device(struct pci_dev *pdev)
{
	if (!device_lookup_iommu(&pdev->dev, NULL, NULL))
		return 0;
	return pci_isolation_add_device(&intel_isolation_provider, pdev);
}

static int intel_isolation_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	int ret;

	/* A deleted device leaves its group through the driver core. */
	if (action != BUS_NOTIFY_ADD_DEVICE)
		return NOTIFY_DONE;

	ret = intel_isolation_add_device(pdev);
	if (ret)
		pci_warn(pdev, "no isolation group: %d\n", ret);
	return NOTIFY_OK;
}

static struct notifier_block intel_isolation_nb = {
	.notifier_call = intel_isolation_notify,
};

/**
 * intel_iommu_isolation_init - register VT-d as an isolation group provider
 *
 * Called once DMA remapping is enabled.  Groups the PCI devices present and
 * those added later.  On failure VT-d works on without isolation groups.
 */
void __init intel_iommu_isolation_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	ret = isolation_provider_register(&intel_isolation_provider);
	if (ret) {
		pr_err("cannot register the provider: %d\n", ret);
		return;
	}

	ret = bus_register_notifier(&pci_bus_type, &intel_isolation_nb);
	if (ret) {
		pr_err("cannot follow PCI hotplug: %d\n", ret);
		isolation_provider_unregister(&intel_isolation_provider);
		return;
	}

	for_each_pci_dev(pdev) {
		ret = intel_isolation_add_device(pdev);
		if (ret)
			pci_warn(pdev, "no isolation group: %d\n", ret);
	}
}

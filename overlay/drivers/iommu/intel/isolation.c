// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation group provider for Intel VT-d.
 *
 * VT-d tells devices apart by the requester ID of their DMA, one context
 * entry each.  The groups of the PCI devices behind a VT-d unit follow the
 * rules of the PCI topology that every provider shares
 * (drivers/pci/isolation.c); each group's ``iommu_ids`` are the requester
 * IDs, with their aliases, that its devices use: its context entries.
 */

#define pr_fmt(fmt) "DMAR: isolation: " fmt

#include <linux/pci.h>
#include <linux/pci-isolation.h>

#include "iommu.h"

/* Whether a VT-d unit translates @pdev's DMA. */
static bool intel_isolation_translates(struct pci_dev *pdev)
{
	return device_lookup_iommu(&pdev->dev, NULL, NULL);
}

static struct pci_isolation_provider intel_isolation_provider = {
	.provider.name = "intel-iommu",
	.translates = intel_isolation_translates,
	.walk_ids = pci_isolation_walk_rids,
	.id_format = PCI_ISOLATION_ID_RID,
};

/**
 * intel_iommu_isolation_init - register VT-d as an isolation group provider
 *
 * Called once DMA remapping is enabled.  Groups the PCI devices present and
 * those added later.  On failure VT-d works on without isolation groups.
 */
void __init intel_iommu_isolation_init(void)
{
	int ret;

	ret = pci_isolation_provider_register(&intel_isolation_provider);
	if (ret)
		pr_err("cannot register the provider: %d\n", ret);
}

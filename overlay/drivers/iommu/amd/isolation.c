// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation group provider for AMD-Vi.
 *
 * AMD-Vi tells devices apart by the DeviceID of their DMA, one device table
 * entry each: the requester ID, or the alias that the IVRS table gives it.
 * The groups of the PCI devices behind an AMD IOMMU follow the rules of the
 * PCI topology that every provider shares (drivers/pci/isolation.c); each
 * group's ``iommu_ids`` are the DeviceIDs whose device table entries its
 * devices use: their requester IDs, their PCI DMA aliases and their IVRS
 * aliases, as the driver programs them (clone_aliases()).
 *
 * ACPI HID devices of the IVRS table (IVHD type F0 entries) are not PCI
 * devices and get no group.
 */

#define pr_fmt(fmt) "AMD-Vi: isolation: " fmt

#include <linux/pci.h>
#include <linux/pci-isolation.h>

#include "amd_iommu.h"

static int amd_isolation_walk_ids(struct pci_dev *pdev, pci_isolation_id_fn fn,
				  void *data)
{
	u16 ivrs_alias;
	int ret;

	if (!amd_iommu_isolation_scope(pdev, &ivrs_alias))
		return 0;
	ret = fn((u64)pci_domain_nr(pdev->bus) << 16 | ivrs_alias, data);
	if (ret)
		return ret;
	return pci_isolation_walk_rids(pdev, fn, data);
}

static bool amd_isolation_translates(struct pci_dev *pdev)
{
	u16 ivrs_alias;

	return amd_iommu_isolation_scope(pdev, &ivrs_alias);
}

static struct pci_isolation_provider amd_isolation_provider = {
	.provider.name = "amd-iommu",
	.translates = amd_isolation_translates,
	.walk_ids = amd_isolation_walk_ids,
	.id_format = PCI_ISOLATION_ID_RID,
};

/**
 * amd_iommu_isolation_init - register AMD-Vi as an isolation group provider
 *
 * Called once the AMD IOMMUs are initialized.  Groups the PCI devices
 * present and those added later.  On failure AMD-Vi works on without
 * isolation groups.
 */
void __init amd_iommu_isolation_init(void)
{
	int ret;

	ret = pci_isolation_provider_register(&amd_isolation_provider);
	if (ret)
		pr_err("cannot register the provider: %d\n", ret);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Isolation groups of PCI devices, computed from the PCI topology for every
 * provider of isolation groups for PCI devices.  See
 * Documentation/driver-api/isolation.rst.
 */
#ifndef _LINUX_PCI_ISOLATION_H
#define _LINUX_PCI_ISOLATION_H

#include <linux/isolation.h>
#include <linux/notifier.h>
#include <linux/pci.h>

/**
 * enum pci_isolation_id_format - how the IDs of an IOMMU are written
 * @PCI_ISOLATION_ID_RID: a PCI requester ID, with the segment in bits 31:16,
 *	written "SSSS:BB:DD.F"
 * @PCI_ISOLATION_ID_NUMBER: a number of the IOMMU's own, written in hex
 *	with a "0x" prefix
 */
enum pci_isolation_id_format {
	PCI_ISOLATION_ID_RID,
	PCI_ISOLATION_ID_NUMBER,
};

/**
 * typedef pci_isolation_id_fn - called with each ID of a device
 * @id: the ID, as &enum pci_isolation_id_format says
 * @data: the caller's data
 *
 * Return: 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*pci_isolation_id_fn)(u64 id, void *data);

/**
 * struct pci_isolation_provider - a provider of isolation groups of PCI devices
 * @provider: the provider; the IOMMU driver sets its name, registration its
 *	group_groups
 * @translates: whether the provider's IOMMU translates @pdev's DMA; only
 *	such devices get a group.  Called from the PCI bus notifier and at
 *	registration, for each PCI device, with no lock held.
 * @walk_ids: calls @fn with each ID that the IOMMU uses for @pdev's DMA, for
 *	the groups' ``iommu_ids``; stops at, and returns, the first non-zero
 *	return of @fn.  Called with the lock of the device's isolation group
 *	held: it must not sleep on device locks nor call into the isolation
 *	API.  pci_isolation_walk_rids() serves IOMMUs that use requester IDs.
 * @id_format: how the IDs are written
 * @context: optional, for an IOMMU whose translation contexts are coarser
 *	than the topology's groups, such as a PowerPC Partitionable Endpoint
 *	whose one TCE table translates the DMA of every device below a host
 *	bridge: returns what identifies the context that translates @pdev's
 *	DMA, or NULL for none.  Devices with one context share a group, with
 *	the devices that the topology puts beside them.  Called for any PCI
 *	device, with no lock of a group held (when placing a device, under
 *	the PCI isolation lock; when reading ``reasons``, under none); it
 *	must return the same for a device as long as it is present.
 * @context_reason: with @context: writes why the devices of @pdev's
 *	context cannot be isolated from each other, a line without its
 *	newline, into @buf of @size bytes (as pci_isolation_reason()) and
 *	returns its length; it is the first reason of @pdev in the groups'
 *	``reasons``.  Called with no lock of a group held; it must not call
 *	into the isolation API.
 * @nb: private, the PCI bus notifier that places added devices
 */
struct pci_isolation_provider {
	struct isolation_provider provider;
	bool (*translates)(struct pci_dev *pdev);
	int (*walk_ids)(struct pci_dev *pdev, pci_isolation_id_fn fn,
			void *data);
	enum pci_isolation_id_format id_format;
	const void *(*context)(struct pci_dev *pdev);
	ssize_t (*context_reason)(struct pci_dev *pdev, char *buf, size_t size);
	struct notifier_block nb;
};

#if IS_ENABLED(CONFIG_ISOLATION_GROUPS) && IS_ENABLED(CONFIG_PCI)

int pci_isolation_add_device(struct isolation_provider *prov,
			     struct pci_dev *pdev);
ssize_t pci_isolation_reason(struct pci_dev *pdev, char *buf, size_t size);
int pci_isolation_provider_register(struct pci_isolation_provider *pprov);
void pci_isolation_provider_unregister(struct pci_isolation_provider *pprov);
int pci_isolation_walk_rids(struct pci_dev *pdev, pci_isolation_id_fn fn,
			    void *data);

#else /* !(CONFIG_ISOLATION_GROUPS && CONFIG_PCI) */

static inline int
pci_isolation_provider_register(struct pci_isolation_provider *pprov)
{
	return -ENODEV;
}

static inline void
pci_isolation_provider_unregister(struct pci_isolation_provider *pprov)
{
}

static inline int pci_isolation_add_device(struct isolation_provider *prov,
					   struct pci_dev *pdev)
{
	return -ENODEV;
}

static inline ssize_t pci_isolation_reason(struct pci_dev *pdev, char *buf,
					   size_t size)
{
	return -ENODEV;
}

#endif /* CONFIG_ISOLATION_GROUPS && CONFIG_PCI */

#endif /* _LINUX_PCI_ISOLATION_H */

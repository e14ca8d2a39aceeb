/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Isolation groups of PCI devices, computed from the PCI topology for every
 * provider of isolation groups for PCI devices.  See
 * Documentation/driver-api/isolation.rst.
 */
#ifndef _LINUX_PCI_ISOLATION_H
#define _LINUX_PCI_ISOLATION_H

#include <linux/isolation.h>
#include <linux/pci.h>

#if IS_ENABLED(CONFIG_ISOLATION_GROUPS) && IS_ENABLED(CONFIG_PCI)

int pci_isolation_add_device(struct isolation_provider *prov,
			     struct pci_dev *pdev);
ssize_t pci_isolation_reason(struct pci_dev *pdev, char *buf, size_t size);
extern const struct attribute_group pci_isolation_attr_group;

#else /* !(CONFIG_ISOLATION_GROUPS && CONFIG_PCI) */

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

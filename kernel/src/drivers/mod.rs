//! Device drivers: PCI enumeration and virtio devices (to be written).

/// Finds and starts the devices (called once by boot, after interrupts are set up).
pub fn init() {}

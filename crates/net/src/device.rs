//! What a network device driver gives the stack.

use alloc::vec::Vec;

/// An Ethernet device. The driver keeps several frames in flight each way; the
/// stack calls these from its own thread (and from socket calls), never from
/// interrupt context. When frames arrive or transmit space frees up the driver
/// calls the waker the kernel registered for it (it wakes the stack's thread).
pub trait NetDevice: Send + Sync {
    /// The MAC address.
    fn mac(&self) -> [u8; 6];
    /// The MTU (1500 for virtio-net without `VIRTIO_NET_F_MTU`).
    fn mtu(&self) -> u32 {
        1500
    }
    /// Queues one frame (Ethernet header included). `false` when the transmit queue
    /// is full (the stack keeps the frame and tries again after a wake).
    fn transmit(&self, frame: &[u8]) -> bool;
    /// Whether `transmit` would accept a frame now.
    fn can_transmit(&self) -> bool;
    /// The next received frame, if any.
    fn receive(&self) -> Option<Vec<u8>>;
    /// Hands the device what `transmit` queued (a driver may batch its
    /// doorbell); the stack calls it after each transmit burst.
    fn flush(&self) {}
    /// Whether the link is up (virtio `VIRTIO_NET_S_LINK_UP`, or always).
    fn link_up(&self) -> bool {
        true
    }
}

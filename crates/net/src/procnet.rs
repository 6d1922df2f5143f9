//! The text of `/proc/net/*` (to be written).

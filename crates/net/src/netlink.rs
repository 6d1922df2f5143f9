//! `AF_NETLINK` `NETLINK_ROUTE` sockets (to be written).

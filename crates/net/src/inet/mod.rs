//! `AF_INET`/`AF_INET6` sockets over smoltcp (to be written).

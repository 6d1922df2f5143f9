//! `AF_UNIX` sockets (to be written).

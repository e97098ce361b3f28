/*
 * feedmesh: IP addresses and CIDR blocks, for the lists of trusted
 * proxies and of clients allowed to read /metrics.
 */
#ifndef FEEDMESH_NETADDR_H
#define FEEDMESH_NETADDR_H

#include <stddef.h>
#include <stdint.h>

struct netaddr {
	int	 family;		/* AF_INET or AF_INET6 */
	uint8_t	 addr[16];
	int	 bits;			/* prefix length */
};

/* "192.0.2.1", "10.0.0.0/8", "::1", "fd00::/8": 0, or -1 if malformed. */
int	 netaddr_parse(const char *, struct netaddr *);
/*
 * 1 if s parses as an address (IPv4-mapped IPv6 read as IPv4) inside
 * one of the n blocks.
 */
int	 netaddr_match(const struct netaddr *, size_t n, const char *s);
/* 1 if s parses as an address or a block. */
int	 netaddr_valid(const char *);

#endif

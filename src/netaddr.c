/*
 * feedmesh: parsing and matching IP addresses against CIDR blocks.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

static int	 netaddr_host(const char *, struct netaddr *);

/* An address alone, IPv4-mapped IPv6 read as IPv4. */
static int
netaddr_host(const char *s, struct netaddr *a)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		a->bits = 32;
		return (0);
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		if (memcmp(a->addr, mapped, sizeof(mapped)) == 0) {
			memmove(a->addr, a->addr + 12, 4);
			memset(a->addr + 4, 0, 12);
			a->family = AF_INET;
			a->bits = 32;
		} else {
			a->family = AF_INET6;
			a->bits = 128;
		}
		return (0);
	}
	return (-1);
}

int
netaddr_parse(const char *s, struct netaddr *a)
{
	char		 host[64];
	const char	*slash;
	char		*end;
	long		 bits;
	size_t		 len;

	if ((slash = strchr(s, '/')) == NULL)
		return (netaddr_host(s, a));
	len = slash - s;
	if (len == 0 || len >= sizeof(host))
		return (-1);
	memcpy(host, s, len);
	host[len] = '\0';
	if (netaddr_host(host, a) == -1 || slash[1] < '0' || slash[1] > '9')
		return (-1);
	bits = strtol(slash + 1, &end, 10);
	if (*end != '\0' || bits < 0 || bits > a->bits)
		return (-1);
	a->bits = (int)bits;
	return (0);
}

int
netaddr_valid(const char *s)
{
	struct netaddr	 a;

	return (netaddr_parse(s, &a) == 0);
}

int
netaddr_match(const struct netaddr *blocks, size_t n, const char *s)
{
	struct netaddr	 a;
	size_t		 i;
	int		 full, rest;

	if (s == NULL || netaddr_host(s, &a) == -1)
		return (0);
	for (i = 0; i < n; i++) {
		if (blocks[i].family != a.family)
			continue;
		full = blocks[i].bits / 8;
		rest = blocks[i].bits % 8;
		if (memcmp(blocks[i].addr, a.addr, full) != 0)
			continue;
		if (rest != 0 && ((blocks[i].addr[full] ^ a.addr[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return (1);
	}
	return (0);
}

/* feedmesh: the node daemon. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "usage: feedmeshd [-dnv] [-f file]\n");
	return (1);
}

/* window_fixture: a formatted two-partition window in memory for the
 * window's unit tests, and its regions located from the documented layout
 * (docs/window.md), not from common/window.c. */
#ifndef DUPLEX_WINDOW_FIXTURE_H
#define DUPLEX_WINDOW_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "window.h"

struct fixture {
	unsigned char *mem;
	struct window w;
	uint16_t type;			/* last pop() */
	size_t len;
	unsigned char buf[WINDOW_MSG_MAX];
};

int fixture_setup(void **state);
int fixture_teardown(void **state);
struct window_header *header(struct fixture *f);
struct window_slot *slot(struct fixture *f, unsigned k);
struct window_ring *ring(struct fixture *f, unsigned from, unsigned to);

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "window_fixture.h"

int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = aligned_alloc(4096, WINDOW_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	*state = f;
	return 0;
}

int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

struct window_header *header(struct fixture *f)
{
	return (struct window_header *)f->mem;
}

struct window_slot *slot(struct fixture *f, unsigned k)
{
	return (struct window_slot *)(f->mem + 4096 + 1024 * k);
}

struct window_ring *ring(struct fixture *f, unsigned from, unsigned to)
{
	unsigned idx = from * 7 + (to < from ? to : to - 1);

	return (struct window_ring *)(f->mem + 12288 + (size_t)idx * 65664);
}

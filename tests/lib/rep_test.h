/* rep_test: what the unit tests of the repd messages share. */
#ifndef DUPLEX_REP_TEST_H
#define DUPLEX_REP_TEST_H

#include <stdint.h>
#include <stdlib.h>

#include "rep_proto.h"

/* A message, all zero but TYPE and SESSION (so that it compares whole);
 * on the heap, being large.  Aborts if memory is short. */
static inline struct rep_msg *rep_test_msg(uint16_t type, uint32_t session)
{
	struct rep_msg *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->type = type;
	m->session = session;
	return m;
}

#endif

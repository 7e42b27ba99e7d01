/* roles: what the leader and a follower need before monitor_run(). */
#include "roles.h"
#include "follower.h"
#include "leader.h"

#include <stdlib.h>
#include <string.h>

int roles_leader_init(struct monitor *m, struct transport *peers,
		      unsigned npeers, bool strict)
{
	memset(m, 0, sizeof(*m));
	m->peer_ok = calloc(npeers, sizeof(*m->peer_ok));
	m->peer_end = calloc(npeers, sizeof(*m->peer_end));
	if (!m->peer_ok || !m->peer_end) {
		roles_leader_free(m);
		return -1;
	}
	for (unsigned i = 0; i < npeers; i++)
		m->peer_ok[i] = true;
	m->strict = strict;
	m->role = &leader_ops;
	m->peers = peers;
	m->npeers = npeers;
	return 0;
}

void roles_leader_free(struct monitor *m)
{
	free(m->peer_ok);
	free(m->peer_end);
	m->peer_ok = NULL;
	m->peer_end = NULL;
}

void roles_follower_init(struct monitor *m, struct transport *t,
			 unsigned replica, bool strict)
{
	memset(m, 0, sizeof(*m));
	m->strict = strict;
	m->role = &follower_ops;
	m->replica = replica;
	m->peers = t;
	m->npeers = 1;
}

int roles_follower_status(const struct mvx_end *e)
{
	return e->how == MVX_END_DIVERGED ? MVX_EXIT_DIVERGED :
	       e->how == MVX_END_STOPPED ? MVX_EXIT_LOST :
	       e->how == MVX_END_ERROR ? MVX_EXIT_ERROR : 0;
}

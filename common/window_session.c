/* The sessions a partition's slot publishes: the replicated shell
 * session its repd leads (rep_*) and the lockstep runs it leads or
 * follows (mvx_*; docs/mvx.md).  See window.h for the contract. */
#include <string.h>

#include "window.h"
#include "window_slot.h"

/* SELF's session and its members published: the replicated shell's
 * (REP) or the lockstep run's.  Members first: whoever sees the session
 * sees who is in it. */
static int publish(struct window *w, unsigned self, bool rep,
		   uint32_t session, uint32_t members)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	atomic_store_explicit(rep ? &s->rep_members : &s->mvx_members, members,
			      memory_order_relaxed);
	atomic_store_explicit(rep ? &s->rep_session : &s->mvx_session, session,
			      memory_order_release);
	return 0;
}

/* PART's published session and its members: the replicated shell's
 * (REP) or the lockstep run's; 0 for a partition the machine lacks. */
static uint32_t read_published(const struct window *w, unsigned part,
			       bool rep, uint32_t *members)
{
	struct window_slot *s = window_slot_at(w, part);
	uint32_t session;

	*members = 0;
	if (!s)
		return 0;
	session = atomic_load_explicit(rep ? &s->rep_session : &s->mvx_session,
				       memory_order_acquire);
	*members = atomic_load_explicit(rep ? &s->rep_members : &s->mvx_members,
					memory_order_relaxed);
	return session;
}

int window_rep_publish(struct window *w, unsigned self, uint32_t session,
		       uint32_t members)
{
	return publish(w, self, true, session, members);
}

int window_rep_count(struct window *w, unsigned self, uint32_t lines,
		     uint32_t divergences)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	atomic_fetch_add_explicit(&s->rep_lines, lines, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->rep_divergences, divergences,
				  memory_order_relaxed);
	return 0;
}

uint32_t window_rep_session(const struct window *w, unsigned part,
			    uint32_t *members)
{
	return read_published(w, part, true, members);
}

void window_rep_counters(const struct window *w, unsigned part,
			 uint32_t *lines, uint32_t *divergences)
{
	struct window_slot *s = window_slot_at(w, part);

	*lines = s ? atomic_load_explicit(&s->rep_lines, memory_order_relaxed) : 0;
	*divergences = s ? atomic_load_explicit(&s->rep_divergences,
						memory_order_relaxed) : 0;
}

int window_mvx_lead(struct window *w, unsigned self, uint32_t session,
		    uint32_t members)
{
	return publish(w, self, false, session, members);
}

int window_mvx_follow(struct window *w, unsigned self, uint32_t session)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	if (session)
		atomic_fetch_add_explicit(&s->mvx_runs, 1,
					  memory_order_relaxed);
	atomic_store_explicit(&s->mvx_follow, session, memory_order_release);
	return 0;
}

uint32_t window_mvx_session(const struct window *w, unsigned part,
			    uint32_t *members)
{
	return read_published(w, part, false, members);
}

uint32_t window_mvx_following(const struct window *w, unsigned part)
{
	struct window_slot *s = window_slot_at(w, part);

	return s ? atomic_load_explicit(&s->mvx_follow, memory_order_acquire)
		 : 0;
}

int window_mvx_note(struct window *w, unsigned self, const void *rec)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	memcpy(s->mvx_last, rec, WINDOW_MVX_RECORD);
	atomic_fetch_add_explicit(&s->mvx_divergences, 1,
				  memory_order_release);
	return 0;
}

void window_mvx_counters(const struct window *w, unsigned part,
			 uint32_t *runs, uint32_t *divergences)
{
	struct window_slot *s = window_slot_at(w, part);

	*runs = s ? atomic_load_explicit(&s->mvx_runs, memory_order_relaxed) : 0;
	*divergences = s ? atomic_load_explicit(&s->mvx_divergences,
						memory_order_acquire) : 0;
}

int window_mvx_last(const struct window *w, unsigned part, void *rec)
{
	struct window_slot *s = window_slot_at(w, part);
	uint32_t before, after;

	if (!s)
		return WINDOW_EINVAL;
	/* A follower may be writing the next one: take a copy between two
	 * equal counts (a kernel that keeps writing gets its bytes shown
	 * as whatever they are, checked by the reader's decoder). */
	for (int tries = 0; tries < 8; tries++) {
		before = atomic_load_explicit(&s->mvx_divergences,
					      memory_order_acquire);
		memcpy(rec, s->mvx_last, WINDOW_MVX_RECORD);
		atomic_thread_fence(memory_order_acquire);
		after = atomic_load_explicit(&s->mvx_divergences,
					     memory_order_relaxed);
		if (before == after)
			return 0;
	}
	return WINDOW_EBUSY;
}

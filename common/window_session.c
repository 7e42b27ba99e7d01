/* The sessions a partition's slot publishes: the replicated shell
 * session its repd leads (rep_*) and the lockstep runs it leads or
 * follows (mvx_*; docs/mvx.md).  See window.h for the contract. */
#include <string.h>

#include "window.h"
#include "window_slot.h"

/* Members first: whoever sees the session sees who is in it. */
static void publish(_Atomic uint32_t *session, _Atomic uint32_t *members,
		    uint32_t value, uint32_t who)
{
	atomic_store_explicit(members, who, memory_order_relaxed);
	atomic_store_explicit(session, value, memory_order_release);
}

static uint32_t read_published(_Atomic uint32_t *session,
			       _Atomic uint32_t *members, uint32_t *who)
{
	uint32_t value = atomic_load_explicit(session, memory_order_acquire);

	*who = atomic_load_explicit(members, memory_order_relaxed);
	return value;
}

int window_rep_publish(struct window *w, unsigned self, uint32_t session,
		       uint32_t members)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	publish(&s->rep_session, &s->rep_members, session, members);
	return 0;
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
	struct window_slot *s = window_slot_at(w, part);

	if (!s) {
		*members = 0;
		return 0;
	}
	return read_published(&s->rep_session, &s->rep_members, members);
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
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	publish(&s->mvx_session, &s->mvx_members, session, members);
	return 0;
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
	struct window_slot *s = window_slot_at(w, part);

	if (!s) {
		*members = 0;
		return 0;
	}
	return read_published(&s->mvx_session, &s->mvx_members, members);
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

#define _GNU_SOURCE
#include "winhost.h"
#include "base/base.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int winhost_open(struct winhost *h, const char *path, unsigned partitions)
{
	struct stat st;
	int fd, err;

	memset(h, 0, sizeof(*h));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open the window file '%s': %m", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)WINDOW_SIZE) {
		log_error("the window file '%s' is smaller than %u bytes", path,
			  WINDOW_SIZE);
		close(fd);
		return -1;
	}
	h->base = mmap(NULL, WINDOW_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	close(fd);
	if (h->base == MAP_FAILED) {
		log_error("cannot map the window file '%s': %m", path);
		h->base = NULL;
		return -1;
	}
	err = window_format(&h->w, h->base, WINDOW_SIZE, partitions);
	if (err) {
		log_error("cannot format the window '%s': %s", path,
			  window_strerror(err));
		winhost_close(h);
		return -1;
	}
	log_debug("window: %s mapped, %u partitions, %u bytes", path,
		  partitions, WINDOW_SIZE);
	return 0;
}

void winhost_close(struct winhost *h)
{
	if (h->base)
		munmap(h->base, WINDOW_SIZE);
	h->base = NULL;
}

void winhost_set_state(struct winhost *h, unsigned part,
		       enum window_state state)
{
	struct winhost_part *p = &h->part[part];
	enum window_state was = p->state;

	if (!h->base || part >= h->w.partitions || was == state)
		return;
	if (!window_state_change_ok(was, state)) {
		log_debug("window: partition %u: %s -> %s not allowed", part,
			  window_state_name(was), window_state_name(state));
		return;
	}
	/* A new boot count makes an up_gen left by the previous boot
	 * stale; published before the domain runs. */
	if (state == WINDOW_STATE_BOOTING)
		p->boot_gen++;
	p->state = state;
	window_slot_publish(&h->w, part, p->state, p->boot_gen);
	/* Whatever it was, the partition was not UP all along: its
	 * heartbeat is counted afresh once it is. */
	h->beat[part].watching = false;
	log_debug("window: partition %u: %s -> %s", part,
		  window_state_name(was), window_state_name(state));
}

enum window_state winhost_state(const struct winhost *h, unsigned part)
{
	if (part >= WINDOW_MAX_PARTITIONS)
		return WINDOW_STATE_INVALID;
	return h->part[part].state;
}

static bool running(const struct winhost *h, unsigned k)
{
	return h->part[k].state == WINDOW_STATE_BOOTING ||
	       h->part[k].state == WINDOW_STATE_UP;
}

/* Who most likely overwrote partition K's host-owned fields: only a
 * running guest can write, K itself if it runs, else the first other
 * partition that does. */
static void likely_writer(const struct winhost *h, unsigned k, char *buf,
			  size_t size)
{
	unsigned j;

	if (running(h, k)) {
		snprintf(buf, size, "partition %u itself", k);
		return;
	}
	for (j = 0; j < h->w.partitions; j++) {
		if (j != k && running(h, j)) {
			snprintf(buf, size, "partition %u", j);
			return;
		}
	}
	snprintf(buf, size, "a guest");
}

unsigned winhost_guard(struct winhost *h)
{
	unsigned k, overwritten = 0;
	char who[32];

	if (!h->base)
		return 0;
	for (k = 0; k < h->w.partitions; k++) {
		struct winhost_part *p = &h->part[k];
		enum window_state st = window_slot_state(&h->w, k);
		uint32_t gen = window_slot_boot_gen(&h->w, k);

		if (st == p->state && gen == p->boot_gen)
			continue;
		overwritten++;
		if (!p->overwrite_logged) {
			likely_writer(h, k, who, sizeof(who));
			log_warn("window: partition %u's host-owned fields were overwritten (state %s, boot %u; the host's: %s, boot %u), most likely by %s: ignored, the host's restored",
				 k, window_state_name(st), gen,
				 window_state_name(p->state), p->boot_gen, who);
			p->overwrite_logged = true;
		}
		window_slot_publish(&h->w, k, p->state, p->boot_gen);
	}
	return overwritten;
}

/* Refuse FROM's request with ERR: the slot carries the reason to the
 * guest's repboot, the harness log keeps it. */
static void refuse(struct winhost *h, unsigned from, int err,
		   const struct window_boot_req *req)
{
	char reason[WINDOW_REASON_MAX];

	window_boot_describe(&h->w, err, req, reason, sizeof(reason));
	window_boot_respond(&h->w, from, req->seq, err, reason);
	log_info("window: partition %u asked to boot partition %u: refused: %s",
		 from, req->target, reason);
}

int winhost_next_boot(struct winhost *h, unsigned *target, char *cmdline,
		      size_t cmdline_size, winhost_startable_fn startable,
		      void *ctx)
{
	char why[WINDOW_REASON_MAX];
	struct window_boot_req req;
	unsigned from;
	int err;

	if (!h->base)
		return 0;
	winhost_guard(h);
	for (from = 0; from < h->w.partitions; from++) {
		err = window_boot_request_pending(&h->w, from, &req);
		if (err == WINDOW_ENOREQ)
			continue;
		if (err) {
			refuse(h, from, err, &req);
			continue;
		}
		if (!startable(ctx, req.target, why, sizeof(why))) {
			window_boot_respond(&h->w, from, req.seq,
					    WINDOW_EREFUSED, why);
			log_info("window: partition %u asked to boot partition %u: refused: %s",
				 from, req.target, why);
			continue;
		}
		winhost_set_state(h, req.target, WINDOW_STATE_BOOT_REQUESTED);
		window_boot_respond(&h->w, from, req.seq, WINDOW_OK, NULL);
		log_debug("window: partition %u asked to boot partition %u ('%s'): accepted",
			  from, req.target, req.cmdline);
		*target = req.target;
		snprintf(cmdline, cmdline_size, "%s", req.cmdline);
		return 1;
	}
	return 0;
}

unsigned winhost_update(struct winhost *h)
{
	unsigned part, changed = 0;

	if (!h->base)
		return 0;
	winhost_guard(h);
	for (part = 0; part < h->w.partitions; part++) {
		if (h->part[part].state == WINDOW_STATE_BOOTING &&
		    window_slot_up_gen(&h->w, part) == h->part[part].boot_gen) {
			winhost_set_state(h, part, WINDOW_STATE_UP);
			changed++;
		}
	}
	return changed;
}

bool winhost_beat_silent(struct winhost_beat *b, bool up, uint64_t value,
			 int64_t now)
{
	if (!up) {
		b->watching = false;
		return false;
	}
	if (!b->watching || value != b->value) {
		*b = (struct winhost_beat){ .watching = true, .value = value,
					    .changed_ms = now };
		return false;
	}
	if (b->reported || now - b->changed_ms < WINHOST_SILENCE_MS)
		return false;
	b->reported = true;
	return true;
}

bool winhost_silent(struct winhost *h, int64_t now, unsigned *part)
{
	unsigned k;
	bool up;

	if (!h->base)
		return false;
	for (k = 0; k < h->w.partitions; k++) {
		up = h->part[k].state == WINDOW_STATE_UP;
		if (winhost_beat_silent(&h->beat[k], up,
					window_slot_heartbeat(&h->w, k), now)) {
			log_debug("window: partition %u: heartbeat %llu unchanged for %.1f s",
				  k, (unsigned long long)h->beat[k].value,
				  (now - h->beat[k].changed_ms) / 1000.0);
			*part = k;
			return true;
		}
	}
	return false;
}

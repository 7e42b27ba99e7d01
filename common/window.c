/* The window: header checks, partition slots and boot requests (the
 * rings are in window_ring.c, the sessions a slot publishes in
 * window_session.c).  See window.h for the contract and docs/window.md for the
 * protocol.  Shared fields are read once into locals before they are
 * checked: a partition rewriting them meanwhile changes nothing. */
#include <stdio.h>
#include <string.h>

#include "window.h"
#include "window_slot.h"

#define BIT(n) (1u << (n))

static const char *const err_text[WINDOW_ERR_COUNT] = {
	[WINDOW_OK] = "success",
	[WINDOW_EINVAL] = "invalid argument",
	[WINDOW_ESIZE] = "mapping smaller than the window",
	[WINDOW_EMAGIC] = "not a duplex window (bad magic)",
	[WINDOW_EVERSION] = "unsupported window ABI version",
	[WINDOW_ELAYOUT] = "window layout does not match this ABI",
	[WINDOW_EPARTS] = "bad partition count",
	[WINDOW_EFULL] = "ring full",
	[WINDOW_EEMPTY] = "ring empty",
	[WINDOW_ETOOBIG] = "message larger than the buffer",
	[WINDOW_ECORRUPT] = "ring indices corrupt",
	[WINDOW_EMSGLEN] = "message length out of bounds",
	[WINDOW_ECRC] = "message CRC mismatch",
	[WINDOW_ESEQ] = "message out of sequence",
	[WINDOW_EMSG] = "bad message type or flags",
	[WINDOW_ENOREQ] = "no boot request pending",
	[WINDOW_EPENDING] = "boot request not answered yet",
	[WINDOW_ETARGET] = "no such partition",
	[WINDOW_EBUSY] = "partition already booting or up",
	[WINDOW_ECMDLONG] = "command line too long",
	[WINDOW_ECMDCHAR] = "forbidden character in command line",
	[WINDOW_ECMDPARAM] = "command line argument not on the allow-list",
	[WINDOW_EREFUSED] = "refused by the host",
	[WINDOW_ESTATE] = "partition state transition not allowed",
};

static const char *const state_text[] = {
	[WINDOW_STATE_OFF] = "off",
	[WINDOW_STATE_BOOT_REQUESTED] = "boot-requested",
	[WINDOW_STATE_BOOTING] = "booting",
	[WINDOW_STATE_UP] = "up",
	[WINDOW_STATE_HALTED] = "halted",
	[WINDOW_STATE_PANICKED] = "panicked",
};

/* The state machine of docs/window.md: the states each one may go to. */
static const unsigned next_states[] = {
	[WINDOW_STATE_OFF] = BIT(WINDOW_STATE_BOOT_REQUESTED),
	[WINDOW_STATE_BOOT_REQUESTED] = BIT(WINDOW_STATE_BOOTING) |
					BIT(WINDOW_STATE_OFF),
	[WINDOW_STATE_BOOTING] = BIT(WINDOW_STATE_UP) |
				 BIT(WINDOW_STATE_HALTED) |
				 BIT(WINDOW_STATE_PANICKED),
	[WINDOW_STATE_UP] = BIT(WINDOW_STATE_HALTED) |
			    BIT(WINDOW_STATE_PANICKED),
	[WINDOW_STATE_HALTED] = BIT(WINDOW_STATE_BOOT_REQUESTED),
	[WINDOW_STATE_PANICKED] = BIT(WINDOW_STATE_BOOT_REQUESTED),
};

/* The kernel parameters a partition may add to a boot it requests, and
 * the values each may take (docs/window.md): those that change what a
 * replica is tested with (address-space randomisation, the vDSO,
 * mitigations, memory initialisation, CPUs, clocks).  Everything else is
 * refused: the machine's own arguments (console, panic, init, duplex.*)
 * would be overridden by a later occurrence, and many a harmless-looking
 * one silences the console the host reads (quiet, loglevel=0,
 * 8250.nr_uarts=0) or moves the layout under test (memmap=, mem=).
 * VALUES: NULL for a flag without a value, "#" for a decimal number,
 * otherwise the allowed values separated by '|'. */
struct cmdline_param {
	const char *name;
	const char *values;
};

static const struct cmdline_param allowed_params[] = {
	{ "nokaslr", NULL },
	{ "norandmaps", NULL },
	{ "vdso", "0|1" },
	{ "vsyscall", "none|xonly|emulate" },
	{ "mitigations", "off|auto|auto,nosmt" },
	{ "nopti", NULL },
	{ "pti", "on|off|auto" },
	{ "nosmap", NULL },
	{ "nosmep", NULL },
	{ "nosmp", NULL },
	{ "maxcpus", "#" },
	{ "init_on_alloc", "0|1" },
	{ "init_on_free", "0|1" },
	{ "page_alloc.shuffle", "0|1" },
	{ "randomize_kstack_offset", "on|off" },
	{ "slab_nomerge", NULL },
	{ "ignore_loglevel", NULL },
	{ "clocksource", "tsc|hpet|acpi_pm|jiffies" },
	{ "tsc", "reliable|unstable|nowatchdog" },
	{ "nohz", "on|off" },
};

static const char cmdline_punct[] = " ._,=:/+-";

const char *window_strerror(int err)
{
	if (err < 0 || err >= WINDOW_ERR_COUNT)
		return "unknown window error";
	return err_text[err];
}

const char *window_state_name(enum window_state state)
{
	if ((unsigned)state >= sizeof(state_text) / sizeof(state_text[0]))
		return "invalid";
	return state_text[state];
}

struct window_slot *window_slot_at(const struct window *w, unsigned part)
{
	if (!w || part >= w->partitions)
		return NULL;
	return (struct window_slot *)(w->base + WINDOW_SLOTS_OFFSET +
				      (size_t)part * WINDOW_SLOT_SIZE);
}

static int check_base(const void *base, size_t size)
{
	if (!base || (uintptr_t)base % WINDOW_CACHE_LINE)
		return WINDOW_EINVAL;
	return size < WINDOW_SIZE ? WINDOW_ESIZE : 0;
}

int window_format(struct window *w, void *base, size_t size,
		  unsigned partitions)
{
	struct window_header *h = base;
	int err;

	if (!w)
		return WINDOW_EINVAL;
	err = check_base(base, size);
	if (err)
		return err;
	if (partitions < 1 || partitions > WINDOW_MAX_PARTITIONS)
		return WINDOW_EPARTS;
	memset(base, 0, WINDOW_SIZE);
	h->magic = WINDOW_MAGIC;
	h->abi_version = WINDOW_ABI_VERSION;
	h->partitions = partitions;
	h->size = WINDOW_SIZE;
	h->max_partitions = WINDOW_MAX_PARTITIONS;
	h->slots_offset = WINDOW_SLOTS_OFFSET;
	h->slot_size = WINDOW_SLOT_SIZE;
	h->rings_offset = WINDOW_RINGS_OFFSET;
	h->ring_size = WINDOW_RING_SIZE;
	h->ring_data_size = WINDOW_RING_DATA;
	w->base = base;
	w->partitions = partitions;
	return 0;
}

static int check_header(const struct window_header *h)
{
	if (h->magic != WINDOW_MAGIC)
		return WINDOW_EMAGIC;
	if (h->abi_version != WINDOW_ABI_VERSION)
		return WINDOW_EVERSION;
	if (h->size != WINDOW_SIZE ||
	    h->max_partitions != WINDOW_MAX_PARTITIONS ||
	    h->slots_offset != WINDOW_SLOTS_OFFSET ||
	    h->slot_size != WINDOW_SLOT_SIZE ||
	    h->rings_offset != WINDOW_RINGS_OFFSET ||
	    h->ring_size != WINDOW_RING_SIZE ||
	    h->ring_data_size != WINDOW_RING_DATA)
		return WINDOW_ELAYOUT;
	if (h->partitions < 1 || h->partitions > WINDOW_MAX_PARTITIONS)
		return WINDOW_EPARTS;
	return 0;
}

int window_attach(struct window *w, void *base, size_t size)
{
	struct window_header h;
	int err;

	if (!w)
		return WINDOW_EINVAL;
	err = check_base(base, size);
	if (err)
		return err;
	memcpy(&h, base, offsetof(struct window_header, reserved));
	err = check_header(&h);
	if (err)
		return err;
	w->base = base;
	w->partitions = h.partitions;
	return 0;
}

enum window_state window_slot_state(const struct window *w, unsigned part)
{
	struct window_slot *s = window_slot_at(w, part);
	uint32_t state;

	if (!s)
		return WINDOW_STATE_INVALID;
	state = atomic_load_explicit(&s->state, memory_order_acquire);
	if (state > WINDOW_STATE_PANICKED)
		return WINDOW_STATE_INVALID;
	return (enum window_state)state;
}

int window_slot_set_state(struct window *w, unsigned part,
			  enum window_state state)
{
	struct window_slot *s = window_slot_at(w, part);
	enum window_state cur = window_slot_state(w, part);

	if (!s || (unsigned)state > WINDOW_STATE_PANICKED)
		return WINDOW_EINVAL;
	if (!window_state_change_ok(cur, state))
		return WINDOW_ESTATE;
	/* A new boot_gen makes an up_gen left by the previous boot stale.
	 * The host enters BOOTING before it starts the domain, so the guest
	 * only ever sees the new value. */
	if (state == WINDOW_STATE_BOOTING)
		atomic_fetch_add_explicit(&s->boot_gen, 1,
					  memory_order_relaxed);
	atomic_store_explicit(&s->state, state, memory_order_release);
	return 0;
}

bool window_state_change_ok(enum window_state from, enum window_state to)
{
	if ((unsigned)from > WINDOW_STATE_PANICKED ||
	    (unsigned)to > WINDOW_STATE_PANICKED)
		return false;
	return next_states[from] & BIT(to);
}

int window_slot_publish(struct window *w, unsigned part,
			enum window_state state, uint32_t boot_gen)
{
	struct window_slot *s = window_slot_at(w, part);

	if (!s || (unsigned)state > WINDOW_STATE_PANICKED)
		return WINDOW_EINVAL;
	atomic_store_explicit(&s->boot_gen, boot_gen, memory_order_relaxed);
	atomic_store_explicit(&s->state, state, memory_order_release);
	return 0;
}

uint32_t window_slot_boot_gen(const struct window *w, unsigned part)
{
	struct window_slot *s = window_slot_at(w, part);

	return s ? atomic_load_explicit(&s->boot_gen, memory_order_relaxed) : 0;
}

uint32_t window_slot_up_gen(const struct window *w, unsigned part)
{
	struct window_slot *s = window_slot_at(w, part);

	return s ? atomic_load_explicit(&s->up_gen, memory_order_acquire) : 0;
}

int window_heartbeat(struct window *w, unsigned self)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	atomic_fetch_add_explicit(&s->heartbeat, 1, memory_order_relaxed);
	return 0;
}

uint64_t window_slot_heartbeat(const struct window *w, unsigned part)
{
	struct window_slot *s = window_slot_at(w, part);

	return s ? atomic_load_explicit(&s->heartbeat, memory_order_relaxed)
		 : 0;
}

int window_announce_up(struct window *w, unsigned self)
{
	struct window_slot *s = window_slot_at(w, self);

	if (!s)
		return WINDOW_EINVAL;
	atomic_store_explicit(&s->up_gen,
			      atomic_load_explicit(&s->boot_gen,
						   memory_order_acquire),
			      memory_order_release);
	return 0;
}

int window_boot_request(struct window *w, unsigned self, unsigned target,
			const char *cmdline, uint32_t *seq)
{
	struct window_slot *s = window_slot_at(w, self);
	const char *end;
	size_t len;
	uint32_t cur;

	if (!s || !cmdline || !seq)
		return WINDOW_EINVAL;
	cur = atomic_load_explicit(&s->req_seq, memory_order_relaxed);
	if (atomic_load_explicit(&s->resp_seq, memory_order_acquire) != cur)
		return WINDOW_EPENDING;
	s->req_target = target;
	/* Too long is the host's call: an unterminated field tells it, and
	 * its refusal is logged on the host as well as printed here. */
	end = memchr(cmdline, '\0', WINDOW_CMDLINE_MAX);
	len = end ? (size_t)(end - cmdline) : WINDOW_CMDLINE_MAX;
	memset(s->cmdline, 0, sizeof(s->cmdline));
	memcpy(s->cmdline, cmdline, len);
	*seq = cur + 1;
	atomic_store_explicit(&s->req_seq, *seq, memory_order_release);
	return 0;
}

/* Copy the NUL-terminated prefix of SRC[0..n) to DST[0..size), replacing
 * anything a terminal would interpret. */
static void copy_printable(char *dst, size_t size, const char *src, size_t n)
{
	size_t i;

	if (!size)
		return;
	for (i = 0; i < n && i < size - 1 && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

int window_boot_response(const struct window *w, unsigned self, uint32_t seq,
			 int *status, char *reason, size_t reason_size)
{
	struct window_slot *s = window_slot_at(w, self);
	char text[WINDOW_REASON_MAX];
	uint32_t st;

	if (!s || !status || (reason_size && !reason))
		return WINDOW_EINVAL;
	if (atomic_load_explicit(&s->resp_seq, memory_order_acquire) != seq)
		return WINDOW_EPENDING;
	st = s->resp_status;
	memcpy(text, s->reason, sizeof(text));
	*status = st < WINDOW_ERR_COUNT ? (int)st : WINDOW_EREFUSED;
	copy_printable(reason, reason_size, text, sizeof(text));
	return 0;
}

static bool cmdline_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c && memchr(cmdline_punct, c, sizeof(cmdline_punct) - 1));
}

/* Is the LEN-byte VALUE one of VALUES (struct cmdline_param)? */
static bool param_value_ok(const char *values, const char *value, size_t len)
{
	size_t n;

	if (!strcmp(values, "#"))
		return len > 0 && len <= 9 && strspn(value, "0123456789") >= len;
	for (;;) {
		n = strcspn(values, "|");
		if (n == len && !memcmp(values, value, len))
			return true;
		if (!values[n])
			return false;
		values += n + 1;
	}
}

/* Is the LEN-byte argument ARG on the allow-list, with a value it may
 * take? */
static bool param_allowed(const char *arg, size_t len)
{
	const char *eq = memchr(arg, '=', len);
	size_t name_len = eq ? (size_t)(eq - arg) : len;
	const struct cmdline_param *p;
	size_t i;

	for (i = 0; i < sizeof(allowed_params) / sizeof(*allowed_params); i++) {
		p = &allowed_params[i];
		if (strlen(p->name) != name_len || memcmp(arg, p->name, name_len))
			continue;
		if (!p->values)
			return !eq;
		return eq && param_value_ok(p->values, eq + 1, len - name_len - 1);
	}
	return false;
}

/* CMDLINE is NUL-terminated.  On error *BAD_AT is the offending byte or
 * the start of the offending argument. */
static int cmdline_check(const char *cmdline, size_t *bad_at)
{
	size_t i, len;

	for (i = 0; cmdline[i]; i++) {
		if (!cmdline_char_ok(cmdline[i])) {
			*bad_at = i;
			return WINDOW_ECMDCHAR;
		}
	}
	for (i = 0; cmdline[i]; i += len) {
		len = strcspn(cmdline + i, " ");
		if (len && !param_allowed(cmdline + i, len)) {
			*bad_at = i;
			return WINDOW_ECMDPARAM;
		}
		len += !len;
	}
	return 0;
}

int window_boot_request_pending(const struct window *w, unsigned from,
				struct window_boot_req *req)
{
	struct window_slot *s = window_slot_at(w, from);
	enum window_state st;
	uint32_t seq;

	if (!s || !req)
		return WINDOW_EINVAL;
	memset(req, 0, sizeof(*req));
	seq = atomic_load_explicit(&s->req_seq, memory_order_acquire);
	if (seq == atomic_load_explicit(&s->resp_seq, memory_order_relaxed))
		return WINDOW_ENOREQ;
	req->seq = seq;
	req->target = s->req_target;
	memcpy(req->cmdline, s->cmdline, sizeof(req->cmdline));
	if (!memchr(req->cmdline, '\0', sizeof(req->cmdline))) {
		req->cmdline[sizeof(req->cmdline) - 1] = '\0';
		req->bad_at = sizeof(req->cmdline) - 1;
		return WINDOW_ECMDLONG;
	}
	if (req->target >= w->partitions)
		return WINDOW_ETARGET;
	st = window_slot_state(w, req->target);
	req->target_state = st;
	if (st == WINDOW_STATE_INVALID)
		return WINDOW_ESTATE;
	if (st == WINDOW_STATE_BOOT_REQUESTED || st == WINDOW_STATE_BOOTING ||
	    st == WINDOW_STATE_UP)
		return WINDOW_EBUSY;
	return cmdline_check(req->cmdline, &req->bad_at);
}

int window_boot_respond(struct window *w, unsigned from, uint32_t seq,
			int status, const char *reason)
{
	struct window_slot *s = window_slot_at(w, from);
	const char *end;
	size_t n = 0;

	if (!s || status < 0)
		return WINDOW_EINVAL;
	if (reason) {
		end = memchr(reason, '\0', WINDOW_REASON_MAX - 1);
		n = end ? (size_t)(end - reason) : WINDOW_REASON_MAX - 1;
	}
	memset(s->reason, 0, sizeof(s->reason));
	if (n)
		memcpy(s->reason, reason, n);
	s->resp_status = (uint32_t)status;
	atomic_store_explicit(&s->resp_seq, seq, memory_order_release);
	return 0;
}

static void describe_cmdline(int err, const struct window_boot_req *req,
			     char *buf, size_t size)
{
	const char *arg = req->cmdline + req->bad_at;
	unsigned char c = (unsigned char)*arg;
	size_t arg_len = strcspn(arg, " ");

	if (err == WINDOW_ECMDLONG)
		snprintf(buf, size, "the command line is longer than %u bytes",
			 WINDOW_CMDLINE_MAX - 1);
	else if (err == WINDOW_ECMDCHAR && c >= 0x20 && c < 0x7f)
		snprintf(buf, size,
			 "the command line has the forbidden character '%c' at offset %zu (allowed: letters, digits, space and %s)",
			 c, req->bad_at, cmdline_punct + 1);
	else if (err == WINDOW_ECMDCHAR)
		snprintf(buf, size,
			 "the command line has the forbidden byte 0x%02x at offset %zu (allowed: letters, digits, space and %s)",
			 c, req->bad_at, cmdline_punct + 1);
	else
		snprintf(buf, size,
			 "the command line argument '%.*s' is not one a partition may add (allowed: nokaslr, norandmaps, vdso=, mitigations=, ... as docs/window.md lists; the machine's own and those that silence the console or move the layout are refused)",
			 (int)(arg_len < 64 ? arg_len : 64), arg);
}

void window_boot_describe(const struct window *w, int err,
			  const struct window_boot_req *req, char *buf,
			  size_t size)
{
	if (!buf || !size)
		return;
	if (!w || !req || req->bad_at >= sizeof(req->cmdline)) {
		snprintf(buf, size, "%s", window_strerror(err));
		return;
	}
	switch (err) {
	case WINDOW_ETARGET:
		snprintf(buf, size, "partition %u does not exist (machine has %u)",
			 (unsigned)req->target, w->partitions);
		break;
	case WINDOW_EBUSY:
		snprintf(buf, size, "partition %u is already %s",
			 (unsigned)req->target,
			 window_state_name(req->target_state));
		break;
	case WINDOW_ESTATE:
		snprintf(buf, size, "partition %u is in an invalid state",
			 (unsigned)req->target);
		break;
	case WINDOW_ECMDLONG:
	case WINDOW_ECMDCHAR:
	case WINDOW_ECMDPARAM:
		describe_cmdline(err, req, buf, size);
		break;
	default:
		snprintf(buf, size, "%s", window_strerror(err));
	}
}

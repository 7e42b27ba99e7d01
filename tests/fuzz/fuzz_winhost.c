/* libFuzzer target for the host's handling of a whole window (winhost):
 * the host's own events interleaved with guests that write anything
 * anywhere in the slots, whole or in part.  Whatever they write, the
 * host's state of every partition changes only by the host's own events
 * and only as docs/window.md allows, each look that reads the slots
 * leaves the host-owned fields as the host has them, and nothing crashes
 * or reads outside the window.
 *
 * Input: a sequence of operations, each a byte (the operation and its
 * partition) and its material: a host event (set a state), a guest
 * write (offset and bytes in the slots region), a host look (update,
 * next boot request, heartbeat watch). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/winhost.h"

#define PARTS 3
#define SLOTS_BYTES (WINDOW_MAX_PARTITIONS * WINDOW_SLOT_SIZE)

static unsigned char *win, *pristine;

static bool startable(void *ctx, unsigned target, char *why, size_t size)
{
	bool *yes = ctx;

	if (!*yes)
		snprintf(why, size, "partition %u: the fuzzer says no", target);
	return *yes;
}

static void host_looks(struct winhost *h, uint8_t how, int64_t now)
{
	char cmdline[WINDOW_CMDLINE_MAX];
	bool yes = how & 1;
	unsigned k;

	switch (how % 3) {
	case 0:
		winhost_update(h);
		break;
	case 1:
		winhost_next_boot(h, &k, cmdline, sizeof(cmdline), startable,
				  &yes);
		break;
	default:
		/* Reads heartbeats only; states are the host's own. */
		winhost_silent(h, now, &k);
		return;
	}
	/* After a look that reads the window, it holds the host's truth. */
	for (k = 0; k < PARTS; k++)
		if (window_slot_state(&h->w, k) != winhost_state(h, k) ||
		    window_slot_boot_gen(&h->w, k) != h->part[k].boot_gen)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct winhost h = { 0 };
	enum window_state before[PARTS];
	size_t i = 0, off, n;
	int64_t now = 0;
	unsigned k;

	if (!win) {
		win = aligned_alloc(4096, WINDOW_SIZE);
		pristine = aligned_alloc(4096, WINDOW_SIZE);
		memset(win, 0, WINDOW_SIZE);
		if (window_format(&h.w, win, WINDOW_SIZE, PARTS))
			abort();
		memcpy(pristine, win, WINDOW_SIZE);
	}
	memcpy(win + WINDOW_SLOTS_OFFSET, pristine + WINDOW_SLOTS_OFFSET,
	       SLOTS_BYTES);
	h.base = win;
	if (window_attach(&h.w, win, WINDOW_SIZE))
		abort();
	while (i < size) {
		uint8_t op = data[i++];

		k = (op >> 2) % PARTS;
		for (unsigned j = 0; j < PARTS; j++)
			before[j] = winhost_state(&h, j);
		switch (op & 3) {
		case 0:		/* a host event */
			if (i < size)
				winhost_set_state(&h, k, (enum window_state)(data[i++] % 7));
			if (winhost_state(&h, k) != before[k] &&
			    !window_state_change_ok(before[k], winhost_state(&h, k)))
				abort();
			continue;
		case 1:		/* a guest writes */
			if (size - i < 3)
				return 0;
			off = ((size_t)data[i] << 8 | data[i + 1]) % SLOTS_BYTES;
			n = data[i + 2];
			i += 3;
			n = n < size - i ? n : size - i;
			n = n < SLOTS_BYTES - off ? n : SLOTS_BYTES - off;
			memcpy(win + WINDOW_SLOTS_OFFSET + off, data + i, n);
			i += n;
			break;
		default:	/* the host looks */
			now += 1000 * (op >> 4);
			host_looks(&h, op >> 2, now);
			break;
		}
		/* Only the host's events change its state, and its own looks:
		 * BOOTING to UP on the announcement of this boot, a request it
		 * accepted. */
		for (unsigned j = 0; j < PARTS; j++)
			if (winhost_state(&h, j) != before[j] &&
			    !((op & 3) >= 2 && before[j] == WINDOW_STATE_BOOTING &&
			      winhost_state(&h, j) == WINDOW_STATE_UP) &&
			    !((op & 3) >= 2 &&
			      winhost_state(&h, j) == WINDOW_STATE_BOOT_REQUESTED &&
			      window_state_change_ok(before[j], WINDOW_STATE_BOOT_REQUESTED)))
				abort();
	}
	return 0;
}

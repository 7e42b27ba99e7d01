/* guest: what every duplex guest program needs — its name in messages, the
 * partition it runs on, and the window (the ivshmem device's BAR 2, found
 * by vendor/device id in sysfs and mapped; no driver). */
#ifndef DUPLEX_GUEST_H
#define DUPLEX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "window.h"

/* ivshmem-plain, as QEMU presents it. */
#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110

/* Set once in main(): prefixes every message. */
extern const char *guest_prog;

void guest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* This partition's index: duplex.partition=K on the kernel command line,
 * else /etc/duplex/partition.  -1 (reported) if neither says. */
int guest_partition_self(void);

/* Find, map and attach the window.  0, or -1 (reported). */
int guest_window_open(struct window *w);

/* Monotonic milliseconds. */
long long guest_now_ms(void);

/* A partition whose heartbeat has not moved for this long is gone. */
#define GUEST_HEARTBEAT_MS	3000

/* What a watcher last saw of one partition's heartbeat. */
struct guest_liveness {
	uint64_t beat;
	long long beat_ms;	/* when it last moved; 0: never looked */
};

/* Has partition P stopped: not UP in the window, or its heartbeat still
 * for GUEST_HEARTBEAT_MS since L last saw it move?  Fills WHY. */
bool guest_partition_gone(const struct window *w, unsigned p,
			  struct guest_liveness *l, char *why, size_t size);

#endif

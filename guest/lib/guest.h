/* guest: what every duplex guest program needs — its name in messages, the
 * partition it runs on, and the window (the ivshmem device's BAR 2, found
 * by vendor/device id in sysfs and mapped; no driver). */
#ifndef DUPLEX_GUEST_H
#define DUPLEX_GUEST_H

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

#endif

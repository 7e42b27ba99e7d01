/* ptyfix: a pseudo-terminal for a test to play QEMU's or a person's side. */
#ifndef DUPLEX_PTYFIX_H
#define DUPLEX_PTYFIX_H

#include <stdbool.h>
#include <stddef.h>

/* A new pty's master (non-blocking, close-on-exec), its slave's path in
 * SLAVE (SIZE bytes).  RAW: raw, as QEMU makes a console's; else cooked,
 * a terminal's.  -1 on error. */
int ptyfix_open(char *slave, size_t size, bool raw);

#endif

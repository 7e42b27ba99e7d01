/* fdread: what a test's end of a pty or pipe receives, within a time. */
#ifndef DUPLEX_FDREAD_H
#define DUPLEX_FDREAD_H

#include <stddef.h>

/* Read FD into BUF (SIZE bytes, NUL-terminated) until STOP appears in it
 * (NULL: never), BUF is full or MS have passed.  The bytes read. */
size_t fdread_for(int fd, char *buf, size_t size, const char *stop, int ms);

#endif

/* cpio: a writer for the "newc" archive format, the one the kernel unpacks
 * as an initramfs.  It writes into a growable memory buffer, so that tests
 * can inspect the bytes and callers can write the result atomically.
 *
 * Output is deterministic: mtime, uid and gid are 0 and inode numbers count
 * up from 1, so the same entries in the same order give byte-identical
 * archives.
 *
 * Names are relative paths ("bin/busybox"): non-empty components other than
 * "." and "..", at most CPIO_NAME_MAX bytes.  A name may appear once, and
 * its parent directory must already be in the archive, because the kernel
 * does not create missing parents: it skips such an entry without a word. */
#ifndef DUPLEX_CPIO_H
#define DUPLEX_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* With its NUL, a name fills the kernel's PATH_MAX (4096) at most. */
#define CPIO_NAME_MAX 4095

struct cpio_entry {
	char *name;
	uint32_t mode;		/* file type and permission bits */
};

struct cpio_writer {
	unsigned char *buf;	/* the archive so far */
	size_t len, cap;
	struct cpio_entry *entries;	/* every entry added, in order */
	size_t nentries, entries_cap;
	uint32_t next_ino;
	bool finished;		/* trailer written: no more entries */
};

void cpio_init(struct cpio_writer *w);
void cpio_free(struct cpio_writer *w);

/* Each returns 0, or -1 after reporting why NAME was refused (bad name,
 * duplicate, missing parent, permission bits beyond 07777, archive
 * finished); a refused entry leaves the archive unchanged. */
int cpio_add_dir(struct cpio_writer *w, const char *name, mode_t perm);
int cpio_add_file(struct cpio_writer *w, const char *name, mode_t perm,
		  const void *data, size_t len);
/* Symbolic links always have permissions 0777, as on Linux. */
int cpio_add_symlink(struct cpio_writer *w, const char *name,
		     const char *target);
int cpio_add_chardev(struct cpio_writer *w, const char *name, mode_t perm,
		     unsigned major, unsigned minor);

/* The mode (type and permission bits) of NAME if it was added, else 0. */
uint32_t cpio_lookup(const struct cpio_writer *w, const char *name);

/* Append the trailer; w->buf and w->len are then the complete archive. */
int cpio_finish(struct cpio_writer *w);

#endif

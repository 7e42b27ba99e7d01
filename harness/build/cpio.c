#define _GNU_SOURCE
#include "cpio.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEWC_MAGIC "070701"
#define NEWC_HEADER_LEN 110	/* magic + 13 fields of 8 hex digits */
#define NEWC_TRAILER "TRAILER!!!"

#define STR_(x) #x
#define STR(x) STR_(x)

void cpio_init(struct cpio_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->next_ino = 1;
}

void cpio_free(struct cpio_writer *w)
{
	for (size_t i = 0; i < w->nentries; i++)
		free(w->entries[i].name);
	free(w->entries);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

static void append(struct cpio_writer *w, const void *data, size_t len)
{
	if (w->len + len > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;

		while (cap < w->len + len)
			cap *= 2;
		w->buf = xrealloc(w->buf, cap);
		w->cap = cap;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

/* newc aligns every header and every file body to 4 bytes. */
static void pad4(struct cpio_writer *w)
{
	static const unsigned char zeros[3];

	append(w, zeros, (4 - w->len % 4) % 4);
}

static void put_header(struct cpio_writer *w, uint32_t ino, uint32_t mode,
		       uint32_t nlink, uint32_t size, uint32_t rmajor,
		       uint32_t rminor, const char *name)
{
	char hdr[NEWC_HEADER_LEN + 1];
	size_t namesize = strlen(name) + 1;

	/* ino mode uid gid nlink mtime filesize devmajor devminor
	 * rdevmajor rdevminor namesize check */
	snprintf(hdr, sizeof(hdr),
		 NEWC_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, 0u, size, 0u, 0u, rmajor, rminor,
		 (unsigned)namesize, 0u);
	append(w, hdr, NEWC_HEADER_LEN);
	append(w, name, namesize);
	pad4(w);
}

static const struct cpio_entry *find(const struct cpio_writer *w,
				     const char *name, size_t len)
{
	for (size_t i = 0; i < w->nentries; i++) {
		const struct cpio_entry *e = &w->entries[i];

		if (!strncmp(e->name, name, len) && e->name[len] == '\0')
			return e;
	}
	return NULL;
}

uint32_t cpio_lookup(const struct cpio_writer *w, const char *name)
{
	const struct cpio_entry *e = find(w, name, strlen(name));

	return e ? e->mode : 0;
}

static bool is_dot_component(const char *p, size_t n)
{
	return (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
}

/* Why NAME cannot be an entry's name, or NULL if it can. */
static const char *name_problem(const char *name)
{
	size_t len = strlen(name);
	const char *p, *end;

	if (len == 0)
		return "the name is empty";
	if (len > CPIO_NAME_MAX)
		return "the name is longer than " STR(CPIO_NAME_MAX) " bytes";
	if (name[0] == '/')
		return "the name is absolute; entries are relative to the archive's root";
	/* The unpacker would stop reading the archive at this entry. */
	if (!strcmp(name, NEWC_TRAILER))
		return "the name is the end-of-archive marker";
	for (p = name;; p = end + 1) {
		end = strchrnul(p, '/');
		if (end == p)
			return "the name has an empty component ('//' or a trailing '/')";
		if (is_dot_component(p, (size_t)(end - p)))
			return "the name has a '.' or '..' component";
		if (!*end)
			return NULL;
	}
}

/* Why NAME cannot be added to W now, or NULL if it can. */
static const char *entry_problem(const struct cpio_writer *w, const char *name)
{
	const struct cpio_entry *parent;
	const char *why = name_problem(name);
	const char *slash;

	if (why)
		return why;
	if (w->finished)
		return "the archive is already finished";
	if (find(w, name, strlen(name)))
		return "the archive already has an entry with this name";
	slash = strrchr(name, '/');
	if (!slash)
		return NULL;
	parent = find(w, name, (size_t)(slash - name));
	if (!parent)
		return "its parent directory is not in the archive yet; add it first";
	if (!S_ISDIR(parent->mode))
		return "its parent is not a directory";
	return NULL;
}

static int add_entry(struct cpio_writer *w, const char *name, uint32_t mode,
		     uint32_t rmajor, uint32_t rminor, const void *data,
		     size_t len)
{
	const char *why = entry_problem(w, name);

	if (!why && len > UINT32_MAX)
		why = "its data is larger than the newc format's 4 GiB limit";
	if (why) {
		log_error("cpio: cannot add '%.200s': %s", name, why);
		return -1;
	}
	put_header(w, w->next_ino++, mode, S_ISDIR(mode) ? 2 : 1,
		   (uint32_t)len, rmajor, rminor, name);
	append(w, data, len);
	pad4(w);

	if (w->nentries == w->entries_cap) {
		w->entries_cap = w->entries_cap ? w->entries_cap * 2 : 64;
		w->entries = xrealloc(w->entries,
				      w->entries_cap * sizeof(*w->entries));
	}
	w->entries[w->nentries].name = xstrdup(name);
	w->entries[w->nentries].mode = mode;
	w->nentries++;
	return 0;
}

/* Only permission bits may come from the caller: the type is the
 * function's, so a stray S_IF* bit would make a lying header. */
static int check_perm(const char *name, mode_t perm)
{
	if (perm & ~(mode_t)07777) {
		log_error("cpio: cannot add '%.200s': mode %#o has bits beyond the permission bits 07777",
			  name, (unsigned)perm);
		return -1;
	}
	return 0;
}

int cpio_add_dir(struct cpio_writer *w, const char *name, mode_t perm)
{
	if (check_perm(name, perm) < 0)
		return -1;
	return add_entry(w, name, S_IFDIR | perm, 0, 0, "", 0);
}

int cpio_add_file(struct cpio_writer *w, const char *name, mode_t perm,
		  const void *data, size_t len)
{
	if (check_perm(name, perm) < 0)
		return -1;
	return add_entry(w, name, S_IFREG | perm, 0, 0, len ? data : "", len);
}

int cpio_add_symlink(struct cpio_writer *w, const char *name,
		     const char *target)
{
	if (!*target) {
		log_error("cpio: cannot add '%.200s': the symlink's target is empty",
			  name);
		return -1;
	}
	return add_entry(w, name, S_IFLNK | 0777, 0, 0, target, strlen(target));
}

int cpio_add_chardev(struct cpio_writer *w, const char *name, mode_t perm,
		     unsigned major, unsigned minor)
{
	if (check_perm(name, perm) < 0)
		return -1;
	return add_entry(w, name, S_IFCHR | perm, major, minor, "", 0);
}

int cpio_finish(struct cpio_writer *w)
{
	if (w->finished) {
		log_error("cpio: the archive is already finished");
		return -1;
	}
	put_header(w, 0, 0, 1, 0, 0, 0, NEWC_TRAILER);
	w->finished = true;
	return 0;
}

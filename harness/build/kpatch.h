/* kpatch: the kernel/patches series, applied to a private copy of the
 * kernel source tree.
 *
 * The pristine tree (Debian's extracted linux-source-6.1, or $KSRC) is
 * never written to.  Its private copy, build/src/NAME.patched, is made of
 * hard links to the pristine files (rsync --link-dest: no space, and
 * re-synced at every build, so an edit to $KSRC is seen), except for the
 * files the series touches: those are independent copies, made by
 * applying every patch (kernel/patches/ *.patch, in name order) to fresh
 * copies of the pristine files in a staging directory.  A series that does
 * not apply is refused, naming the patch and the first rejected file, and
 * the private tree is left as it was.  A patched file whose content did
 * not change keeps its mtime, so editing one patch recompiles only what
 * depends on the files it changes.  The series is applied again only when
 * a patch or a pristine file it touches changed (build/src/NAME.stamp). */
#ifndef DUPLEX_KPATCH_H
#define DUPLEX_KPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* The tree to build from, and an id of what was applied (the series and
 * the pristine files it touches): a change of the id must reconfigure,
 * the series may change Kconfig. */
struct kpatch_tree {
	char *dir;		/* malloc'd */
	char id[17];		/* 16 hex digits */
};

/* Bring the private copy of PRISTINE up to date with PRISTINE and the
 * series.  The caller holds the build lock.  0, or -1 (reported). */
int kpatch_prepare(const struct duplex_paths *paths, const char *pristine,
		   struct kpatch_tree *tree);
void kpatch_tree_free(struct kpatch_tree *tree);

/* The state of PRISTINE's private tree, for a stamp of a kernel's inputs
 * (kstamp.h): a hash of ID (NULL: the id kpatch_prepare would give the
 * series and the pristine files it patches now) and of the size, mtime
 * and inode of the private copy of each file the series patches (the
 * tree's other files are hard links to the pristine ones).  Reads the
 * series and those few files, copies nothing.  0, or -1 (reported). */
int kpatch_state(const struct duplex_paths *paths, const char *pristine,
		 const char *id, uint64_t *hash);

/* The files a patch (TEXT, unified diff for patch -p1) creates, changes or
 * deletes, added to *LIST (*COUNT entries, malloc'd strings) unless there
 * already.  ORIGIN names the patch in errors.  0, or -1 for a path that is
 * absolute, climbs out with "..", or is missing. */
int kpatch_targets(const char *text, const char *origin, char ***list,
		   size_t *count);

/* From patch(1)'s OUTPUT: the first file it could not patch and why
 * ("arch/x86/Kconfig: Hunk #1 FAILED at 2250."), into BUF.  0 if found,
 * -1 if the output names no rejected file. */
int kpatch_first_rejection(const char *output, char *buf, size_t size);

#endif

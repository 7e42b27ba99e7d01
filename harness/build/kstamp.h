/* kstamp: whether a kernel is up to date, decided without running kbuild.
 *
 * make finds that nothing changed only after reading every Makefile and
 * every object's dependencies: about 10 s a replica, paid by every
 * `duplex build` (`make test-all`, `./launch.sh`).  A stamp of the inputs
 * decides instead, in well under a second for both replicas: its text is
 * a hash of everything that can change the kernel, and kbuild runs only
 * when the text it would write differs from the one in the kernel's
 * object directory (build/replicaR/.duplex-build-stamp).  The inputs:
 *
 *   - the pristine tree: every entry's path and type, and for all but a
 *     directory its size, mtime and inode (a walk of stat calls, no file
 *     read: an edit in place changes the mtime, a replaced file the
 *     inode, a new or deleted file the paths), its top-level .git left
 *     out as the private copy leaves it out;
 *   - the patch series and the pristine files it patches, and the state
 *     of the private tree's patched copies (kpatch_state);
 *   - the toolchain: `gcc --version` and `ld --version`, whether ccache
 *     is used, and the environment variables the kernel's make reads
 *     (KCFLAGS, KBUILD_*, ...);
 *   - duplex's own code that builds kernels (harness/build/k*.[ch],
 *     hashed by the Makefile into KSTAMP_CODE);
 *   - per kernel: the text of its fragments and of kernel/required.config,
 *     and the state (size, mtime, inode) of its .config, its config stamp
 *     and its image, written after the build: a kernel whose image or
 *     configuration someone changed or removed is built again.
 *
 * The private tree's other files are hard links to the pristine ones: an
 * edit made through them is seen in the pristine tree.  A stamp is written
 * only after a successful build, from inputs read before it: a change made
 * during a build is seen by the next one.  Never a reason to skip a build
 * that a change needs; at worst one that was not needed. */
#ifndef DUPLEX_KSTAMP_H
#define DUPLEX_KSTAMP_H

#include <stdbool.h>
#include <stdint.h>

/* A hash of the tree under DIR, as above.  0, or -1 (reported). */
int kstamp_tree(const char *dir, uint64_t *hash);

/* A hash of the toolchain and the environment, as above, continuing
 * from H. */
uint64_t kstamp_toolchain(uint64_t h, bool ccache);

/* H continued with the size, mtime and inode of PATH, or the errno of
 * its stat (a missing file is a state too). */
uint64_t kstamp_file_state(uint64_t h, const char *path);

/* The stamp's text for one kernel: SHARED (what every kernel of the build
 * shares), INPUTS (its fragments' text), and the state of its OUTPUTS
 * (NULL-terminated paths). */
char *kstamp_text(uint64_t shared, uint64_t inputs,
		  const char *const outputs[]);

/* Whether the stamp at PATH holds TEXT. */
bool kstamp_matches(const char *path, const char *text);

#endif

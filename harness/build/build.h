/* build: what a machine boots, made from sources: the replica kernels
 * (out of tree, with kernel/patches applied to a private copy) and one
 * initramfs per partition.  The public header of build/: the rest of the
 * harness includes this file only.
 *
 *   kbuild.h    replica kernels, rebuilt when an input changed
 *   rdbuild.h   initramfs images, rebuilt when an input changed
 * Private: kpatch (patched tree), kstamp (whether a kernel's inputs
 * changed since its build), kconfig (fragments, required options),
 * buildlog (a failed step's log excerpt), kstats (what the last build of
 * a kernel measured), cpio (newc archives).
 */
#ifndef DUPLEX_BUILD_H
#define DUPLEX_BUILD_H

#include "kbuild.h"
#include "rdbuild.h"

#endif

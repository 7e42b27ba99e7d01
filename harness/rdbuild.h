/* rdbuild: one initramfs per partition (cpio newc, uncompressed), holding
 * Debian's static busybox with its applet links, ramdisk/init, the guest
 * programs built into build/guest/ (static, musl) and
 * /etc/duplex/partition (the partition index).  Written to
 * paths_initramfs(paths, K) atomically; rebuilt only when an input changed. */
#ifndef DUPLEX_RDBUILD_H
#define DUPLEX_RDBUILD_H

#include "config.h"

int rdbuild_partition(const struct duplex_paths *paths, unsigned partition);

#endif

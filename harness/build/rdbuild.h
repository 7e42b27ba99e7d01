/* rdbuild: one initramfs per partition (cpio newc, uncompressed), holding
 * Debian's static busybox with its applet links, ramdisk/init, the guest
 * programs built into build/guest/ (static, musl) and
 * /etc/duplex/partition (the partition index).  Written to
 * paths_initramfs(paths, K) atomically; rebuilt only when an input changed. */
#ifndef DUPLEX_RDBUILD_H
#define DUPLEX_RDBUILD_H

#include "base/base.h"

/* Bring partition PARTITION's image up to date.  0 or -1 (reported). */
int rdbuild_partition(const struct duplex_paths *paths, unsigned partition);
/* The same for every partition of PROFILE: what a machine of it boots
 * (milliseconds when nothing changed; a profile may name a partition no
 * earlier build made an image for). */
int rdbuild_profile(const struct duplex_paths *paths,
		    const struct machine_profile *profile);

#endif

/* accel: decide between KVM and TCG.  /dev/kvm existing proves nothing (on
 * nested hosts a KVM guest can hang in early boot), so KVM counts as usable
 * only when a probe boots our own replica kernel to user space under KVM
 * within a deadline.  The answer is cached per host boot. */
#ifndef DUPLEX_ACCEL_H
#define DUPLEX_ACCEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

#define ACCEL_PROBE_DEADLINE_MS 20000

/* True if KVM really works.  WHY (if non-NULL) gets a one-line reason
 * ("a KVM guest did not reach user space within 20 s"). */
bool accel_kvm_usable(const struct duplex_paths *paths, char *why, size_t size);

/* Apply the profile's accel setting: ACCEL_KVM insists (error if the probe
 * fails), ACCEL_TCG never probes, ACCEL_AUTO probes.  0 or -1. */
int accel_choose(const struct duplex_paths *paths, enum accel_mode mode,
		 bool *use_kvm);

#endif

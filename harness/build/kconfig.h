/* kconfig: reading Kconfig text (.config files and config fragments) and
 * checking that a .config holds what a fragment or the required list asks
 * for.  Pure text processing; every difference is reported with the line
 * that asked for it.  And whether a kernel's fragments are there at all. */
#ifndef DUPLEX_KCONFIG_H
#define DUPLEX_KCONFIG_H

struct duplex_paths;

/* Check that CONFIG (a .config's text) sets every option listed in
 * REQUIRED (text of kernel/required.config: "CONFIG_X=value" and
 * "# CONFIG_X is not set" lines, other '#' lines are comments; "=n" is
 * "not set").  Reports each missing or different option, naming it,
 * the line of REQUIRED_ORIGIN and what CONFIG_ORIGIN has instead.  0 if all
 * are there, -1 otherwise. */
int kconfig_check_required(const char *config, const char *config_origin,
			   const char *required, const char *required_origin);

/* Check that CONFIG holds every setting of FRAGMENT (text of a config
 * fragment), i.e. that olddefconfig dropped none of them.  Settings that
 * OVERRIDE (a later fragment, or NULL) also makes are that fragment's to
 * check.  Reports each one dropped.  0 or -1. */
int kconfig_check_fragment(const char *config, const char *config_origin,
			   const char *fragment, const char *fragment_origin,
			   const char *override);

/* Refuse replica REPLICA in VARIANT_NAME ("" for none) of PATHS' kernel
 * flavour before minutes go to others: a replica out of range, or one
 * without its fragment (the flavour has no such replica), or a variant
 * without its.  0, or -1 (reported). */
int kconfig_check_kernel(const struct duplex_paths *paths, unsigned replica,
			 const char *variant_name);

#endif

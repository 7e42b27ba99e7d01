#define _GNU_SOURCE
#include "kconfig.h"
#include "base/base.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One setting of a .config or a fragment: "CONFIG_X=value", or
 * "# CONFIG_X is not set" (value NULL; "=n" means the same). */
struct kconfig_setting {
	const char *name;	/* "CONFIG_X", not NUL-terminated */
	size_t name_len;
	const char *value;
	size_t value_len;
};

enum kconfig_check { CHECK_REQUIRED, CHECK_FRAGMENT };

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

/* Parse one line (no newline) as Kconfig writes and reads them.
 * 1: a setting, 0: blank or comment, -1: neither. */
static int parse_setting(const char *s, size_t len, struct kconfig_setting *st)
{
	static const char not_set[] = " is not set";
	const size_t ns = sizeof(not_set) - 1;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r'))
		len--;
	if (len == 0)
		return 0;
	if (len > 9 + ns && strncmp(s, "# CONFIG_", 9) == 0 &&
	    memcmp(s + len - ns, not_set, ns) == 0 &&
	    strspn(s + 2, NAME_CHARS) == len - 2 - ns) {
		st->name = s + 2;
		st->name_len = len - 2 - ns;
		st->value = NULL;
		st->value_len = 0;
		return 1;
	}
	if (*s == '#')
		return 0;
	st->name = s;
	st->name_len = strspn(s, NAME_CHARS);
	if (strncmp(s, "CONFIG_", 7) != 0 || st->name_len <= 7 ||
	    st->name_len >= len || s[st->name_len] != '=')
		return -1;
	st->value = s + st->name_len + 1;
	st->value_len = len - st->name_len - 1;
	if (st->value_len == 1 && *st->value == 'n')
		st->value = NULL;
	return 1;
}

/* The setting of NAME in TEXT (the last one, as Kconfig does).  False if
 * TEXT does not mention NAME. */
static bool lookup_setting(const char *text, const char *name, size_t name_len,
			   struct kconfig_setting *found)
{
	struct kconfig_setting st;
	const char *p, *eol;
	bool seen = false;

	for (p = text; *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (parse_setting(p, (size_t)(eol - p), &st) == 1 &&
		    st.name_len == name_len &&
		    memcmp(st.name, name, name_len) == 0) {
			*found = st;
			seen = true;
		}
	}
	return seen;
}

static bool same_value(const struct kconfig_setting *a,
		       const struct kconfig_setting *b)
{
	if (!a->value || !b->value)
		return !a->value && !b->value;
	return a->value_len == b->value_len &&
	       memcmp(a->value, b->value, a->value_len) == 0;
}

static char *setting_text(const struct kconfig_setting *st)
{
	if (!st->value)
		return xasprintf("'# %.*s is not set'", (int)st->name_len,
				 st->name);
	return xasprintf("%.*s=%.*s", (int)st->name_len, st->name,
			 (int)st->value_len, st->value);
}

static void report_mismatch(enum kconfig_check kind, const char *origin,
			    unsigned line, const struct kconfig_setting *want,
			    const struct kconfig_setting *have,
			    const char *config_origin)
{
	char *w = setting_text(want);
	char *h = have->value ? setting_text(have) : xstrdup("it not set");

	if (kind == CHECK_REQUIRED)
		log_error("%s:%u: %s is required but %s has %s (set it in kernel/common.config)",
			  origin, line, w, config_origin, h);
	else
		log_error("%s:%u: %s did not survive olddefconfig: %s has %s (look %.*s up with '/' in menuconfig to see what it depends on or what selects it)",
			  origin, line, w, config_origin, h,
			  (int)want->name_len, want->name);
	free(w);
	free(h);
}

/* Compare every setting of WANTED with CONFIG and report each difference.
 * Settings that OVERRIDE (a later fragment, or NULL) also makes are that
 * fragment's to check. */
static int check_settings(enum kconfig_check kind, const char *config,
			  const char *config_origin, const char *wanted,
			  const char *wanted_origin, const char *override)
{
	struct kconfig_setting want, have, later;
	const char *p, *eol;
	unsigned line = 0;
	int ret = 0;

	for (p = wanted; *p; p = *eol ? eol + 1 : eol) {
		int r;

		eol = strchrnul(p, '\n');
		line++;
		r = parse_setting(p, (size_t)(eol - p), &want);
		if (r < 0) {
			log_error("%s:%u: cannot read '%.*s': write 'CONFIG_NAME=value' or '# CONFIG_NAME is not set', comments on their own line",
				  wanted_origin, line, (int)(eol - p), p);
			ret = -1;
		}
		if (r <= 0)
			continue;
		if (override && lookup_setting(override, want.name,
					       want.name_len, &later))
			continue;
		if (!lookup_setting(config, want.name, want.name_len, &have))
			have.value = NULL;
		if (!same_value(&want, &have)) {
			report_mismatch(kind, wanted_origin, line, &want, &have,
					config_origin);
			ret = -1;
		}
	}
	return ret;
}

int kconfig_check_required(const char *config, const char *config_origin,
			   const char *required, const char *required_origin)
{
	return check_settings(CHECK_REQUIRED, config, config_origin, required,
			      required_origin, NULL);
}
int kconfig_check_fragment(const char *config, const char *config_origin,
			   const char *fragment, const char *fragment_origin,
			   const char *override)
{
	return check_settings(CHECK_FRAGMENT, config, config_origin, fragment,
			      fragment_origin, override);
}

int kconfig_check_kernel(const struct duplex_paths *paths, unsigned replica,
			 const char *variant_name)
{
	char *frag, *variant = NULL;
	int ret = -1;

	if (replica < 1 || replica > DUPLEX_MAX_REPLICAS) {
		log_error("replica %u does not exist: replicas are numbered 1 to %d",
			  replica, DUPLEX_MAX_REPLICAS);
		return -1;
	}
	frag = xasprintf("%s/replica%u.config", paths->kernel, replica);
	if (*variant_name)
		variant = xasprintf("%s/variant-%s.config", paths->kernel,
				    variant_name);
	if (!path_exists(frag))
		log_error("replica %u has no config fragment %s%s%s: create it (kernel/replica1.config is an example) or boot only the replicas the flavour has",
			  replica, paths_shown(paths, frag),
			  *paths->flavour ? " in kernel flavour " : "",
			  paths->flavour);
	else if (variant && !path_exists(variant))
		log_error("variant '%s' has no config fragment %s: create it (lines as in kernel/common.config) or drop 'variant' from the profile",
			  variant_name, paths_shown(paths, variant));
	else
		ret = 0;
	free(frag);
	free(variant);
	return ret;
}

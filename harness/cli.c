#include "cli.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int cli_load_profile(const struct duplex_paths *paths, const char *name,
		     struct machine_profile *profile)
{
	char *path;
	int ret;

	if (strchr(name, '/'))
		path = xstrdup(name);
	else
		path = xasprintf("%s/vm/%s.profile", paths->root, name);
	if (!path_exists(path)) {
		log_error("no machine profile '%s' (looked for '%s'; profiles live in vm/*.profile)",
			  name, path);
		free(path);
		return -1;
	}
	ret = profile_load(path, profile);
	free(path);
	return ret;
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

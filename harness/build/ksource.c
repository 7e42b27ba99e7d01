/* ksource: the pristine kernel source tree every replica's private,
 * patched copy is made from: KSRC when set (checked to be a clean x86
 * tree), Debian's linux-source otherwise, extracted once under build/. */
#include "kbuild.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>

#define DEBIAN_TARBALL	"/usr/src/linux-source-6.1.tar.xz"
#define DEBIAN_TREE	"linux-source-6.1"

static int check_ksrc(const char *ksrc)
{
	static const char fix[] = "point KSRC at a Linux source tree or unset it to use Debian's " DEBIAN_TREE;
	char *makefile = xasprintf("%s/Makefile", ksrc);
	char *x86 = xasprintf("%s/arch/x86", ksrc);
	char *config = xasprintf("%s/.config", ksrc);
	int ret = -1;

	if (!is_dir(ksrc))
		log_error("KSRC '%s' does not exist or is not a directory: %s",
			  ksrc, fix);
	else if (!path_exists(makefile))
		log_error("KSRC '%s' is not a kernel source tree (no Makefile): %s",
			  ksrc, fix);
	else if (!is_dir(x86))
		log_error("KSRC '%s' is not a kernel source tree for x86 (no arch/x86): %s",
			  ksrc, fix);
	else if (path_exists(config))
		log_error("KSRC '%s' is configured in place (%s exists) and out-of-tree builds refuse it: run 'make mrproper' there or point KSRC at a clean tree",
			  ksrc, config);
	else
		ret = 0;
	free(makefile);
	free(x86);
	free(config);
	return ret;
}

static int extract_debian_tree(const struct duplex_paths *paths,
			       const char *dest)
{
	char *srcdir = xasprintf("%s/src", paths->build);
	char *partial = xasprintf("%s/." DEBIAN_TREE ".partial", srcdir);
	char *tree = xasprintf("%s/" DEBIAN_TREE, partial);
	const char *argv[] = { "tar", "-xf", DEBIAN_TARBALL, "-C", partial, NULL };
	int status, ret = -1;

	if (!path_exists(DEBIAN_TARBALL)) {
		log_error("Debian's kernel source %s is missing: run 'make deps' (package linux-source-6.1) or set KSRC to a Linux source tree",
			  DEBIAN_TARBALL);
		goto out;
	}
	/* A partial tree from an interrupted run is never used: start over. */
	if (remove_tree(partial) < 0 || mkdir_p(partial, 0755) < 0)
		goto out;
	log_info("kbuild: extracting %s into %s (once)", DEBIAN_TARBALL,
		 paths_shown(paths, srcdir));
	/* tar says what went wrong on stderr, right above our error. */
	status = run_command(argv, NULL, -1);
	if (status != 0) {
		log_error("cannot extract %s into %s (tar exit status %d)",
			  DEBIAN_TARBALL, partial, status);
		goto out;
	}
	if (rename(tree, dest) < 0) {
		log_error("cannot rename '%s' to '%s': %m", tree, dest);
		goto out;
	}
	ret = remove_tree(partial);
out:
	free(srcdir);
	free(partial);
	free(tree);
	return ret;
}

int kbuild_source_tree(const struct kbuild_options *opts, char **srcdir)
{
	const struct duplex_paths *paths = opts->paths;
	char *dest;

	if (paths->ksrc[0]) {
		if (check_ksrc(paths->ksrc) < 0)
			return -1;
		*srcdir = xstrdup(paths->ksrc);
		return 0;
	}
	/* Only a completed extraction is ever renamed to DEST. */
	dest = xasprintf("%s/src/" DEBIAN_TREE, paths->build);
	if (!is_dir(dest) && extract_debian_tree(paths, dest) < 0) {
		free(dest);
		return -1;
	}
	*srcdir = dest;
	return 0;
}

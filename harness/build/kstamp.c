#define _GNU_SOURCE
#include "kstamp.h"
#include "base/base.h"

#include <errno.h>
#include <fts.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The Makefile hashes harness/build/k*.[ch] into it: a change of how
 * duplex builds a kernel is a change of its inputs. */
#ifndef KSTAMP_CODE
#error "KSTAMP_CODE must be defined (Makefile: the hash of harness/build/k*.[ch])"
#endif

#define STAMP_FORMAT	"duplex kstamp 1"

extern char **environ;

static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* One entry: its path below the root, and what says its content changed.
 * A directory's mtime and size only follow its entries, which are hashed
 * themselves.  Sorted by name, the walk is the same for the same tree. */
static uint64_t hash_entry(uint64_t h, const FTSENT *e, size_t root_len)
{
	const struct stat *st = e->fts_statp;
	uint64_t rec[5] = { st->st_mode };

	if (!S_ISDIR(st->st_mode)) {
		rec[1] = (uint64_t)st->st_size;
		rec[2] = (uint64_t)st->st_mtim.tv_sec;
		rec[3] = (uint64_t)st->st_mtim.tv_nsec;
		rec[4] = st->st_ino;
	}
	h = fnv1a(h, e->fts_path + root_len, e->fts_pathlen - root_len + 1);
	return fnv1a(h, rec, sizeof(rec));
}

int kstamp_tree(const char *dir, uint64_t *hash)
{
	char *roots[] = { (char *)dir, NULL };
	size_t root_len = strlen(dir);
	uint64_t h = FNV1A_START;
	FTS *fts;
	FTSENT *e;
	int ret = 0;

	/* KSRC may be a symbolic link to the tree: followed, as rsync does. */
	fts = fts_open(roots, FTS_PHYSICAL | FTS_COMFOLLOW | FTS_NOCHDIR,
		       by_name);
	if (!fts) {
		log_error("cannot walk the kernel tree '%s': %m", dir);
		return -1;
	}
	errno = 0;
	while (ret == 0 && (e = fts_read(fts))) {
		switch (e->fts_info) {
		case FTS_DP:
			continue;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			log_error("cannot read '%s' of the kernel tree: %s",
				  e->fts_path, strerror(e->fts_errno));
			ret = -1;
			continue;
		}
		if (e->fts_level == 1 && !strcmp(e->fts_name, ".git")) {
			fts_set(fts, e, FTS_SKIP);
			continue;
		}
		h = hash_entry(h, e, root_len);
	}
	if (ret == 0 && errno) {
		log_error("cannot walk the kernel tree '%s': %m", dir);
		ret = -1;
	}
	fts_close(fts);
	*hash = h;
	return ret;
}

/* Variables the kernel's make or Kconfig read from the environment and
 * duplex does not set on make's command line. */
static bool kbuild_reads(const char *var)
{
	static const char *const prefixes[] = {
		"KBUILD_", "KCONFIG_", "KCFLAGS=", "KCPPFLAGS=", "KAFLAGS=",
		"KRUSTFLAGS=", "LLVM=", "LLVM_IAS=", "CROSS_COMPILE=",
		"LOCALVERSION=", "CONFIG_=",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(var, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t hash_environment(uint64_t h)
{
	size_t n = 0, i;
	const char **vars;

	for (i = 0; environ[i]; i++)
		n++;
	vars = xcalloc(n + 1, sizeof(*vars));
	for (n = 0, i = 0; environ[i]; i++)
		if (kbuild_reads(environ[i]))
			vars[n++] = environ[i];
	qsort(vars, n, sizeof(*vars), by_string);
	for (i = 0; i < n; i++)
		h = fnv1a(h, vars[i], strlen(vars[i]) + 1);
	free(vars);
	return h;
}

/* A tool's version as it says it; its absence is a version too. */
static uint64_t hash_version(uint64_t h, const char *tool)
{
	const char *argv[] = { tool, "--version", NULL };
	char *out = NULL;
	int status = in_path(tool) ? run_capture(argv, -1, &out) : -1;

	h = fnv1a(h, &status, sizeof(status));
	if (out)
		h = fnv1a(h, out, strlen(out) + 1);
	free(out);
	return h;
}

uint64_t kstamp_toolchain(uint64_t h, bool ccache)
{
	h = fnv1a(h, KSTAMP_CODE, sizeof(KSTAMP_CODE));
	h = fnv1a(h, &ccache, sizeof(ccache));
	h = hash_version(h, "gcc");
	h = hash_version(h, "ld");
	return hash_environment(h);
}

uint64_t kstamp_file_state(uint64_t h, const char *path)
{
	struct stat st;
	uint64_t rec[4] = { 0 };

	if (stat(path, &st) == 0) {
		rec[0] = (uint64_t)st.st_size;
		rec[1] = (uint64_t)st.st_mtim.tv_sec;
		rec[2] = (uint64_t)st.st_mtim.tv_nsec;
		rec[3] = st.st_ino;
	} else {
		rec[0] = (uint64_t)errno;
	}
	h = fnv1a(h, path, strlen(path) + 1);
	return fnv1a(h, rec, sizeof(rec));
}

char *kstamp_text(uint64_t shared, uint64_t inputs,
		  const char *const outputs[])
{
	uint64_t out = FNV1A_START;

	for (size_t i = 0; outputs[i]; i++)
		out = kstamp_file_state(out, outputs[i]);
	return xasprintf(STAMP_FORMAT " shared %016" PRIx64 " inputs %016"
			 PRIx64 " outputs %016" PRIx64 "\n",
			 shared, inputs, out);
}

bool kstamp_matches(const char *path, const char *text)
{
	char *old = path_exists(path) ? read_file(path, NULL) : NULL;
	bool same = old && !strcmp(old, text);

	free(old);
	return same;
}

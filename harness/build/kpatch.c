#define _GNU_SOURCE
#include "kpatch.h"
#include "kstamp.h"
#include "base/base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEBIAN_TREE	"linux-source-6.1"

/* The series: the flavour's patches/ *.patch (kernel/patches) in name
 * order, read once.  A flavour without patches/ has none. */
struct series {
	char *dir;
	const char *shown;	/* dir, as messages name it */
	struct dirent **ents;
	int n;
	char **text;
	char **targets;
	size_t ntargets;
};

static int is_patch(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 6 &&
	       !strcmp(e->d_name + n - 6, ".patch");
}

/* "b/arch/x86/Kconfig\t2026-..." -> "arch/x86/Kconfig" (malloc'd), as
 * patch -p1 sees it; NULL for /dev/null. */
static char *strip_path(const char *s, size_t len)
{
	const char *end = s + len, *tab = memchr(s, '\t', len);
	const char *slash;

	if (tab)
		end = tab;
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	if ((size_t)(end - s) == 9 && !memcmp(s, "/dev/null", 9))
		return NULL;
	slash = memchr(s, '/', (size_t)(end - s));
	if (!slash)
		return xstrdup("");
	return strndup(slash + 1, (size_t)(end - slash - 1));
}

static bool safe_path(const char *p)
{
	const char *c;

	if (!*p || *p == '/')
		return false;
	for (c = p; (c = strstr(c, "..")); c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '/' || !c[2]))
			return false;
	return true;
}

static void add_unique(char ***list, size_t *count, char *path)
{
	size_t i;

	for (i = 0; i < *count; i++) {
		if (!strcmp((*list)[i], path)) {
			free(path);
			return;
		}
	}
	*list = xrealloc(*list, (*count + 1) * sizeof(**list));
	(*list)[(*count)++] = path;
}

int kpatch_targets(const char *text, const char *origin, char ***list,
		   size_t *count)
{
	const char *p, *eol, *old = NULL;
	size_t old_len = 0;
	unsigned line = 0;
	char *path;

	for (p = text; *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		line++;
		if (!strncmp(p, "--- ", 4)) {
			old = p + 4;
			old_len = (size_t)(eol - old);
			continue;
		}
		if (strncmp(p, "+++ ", 4))
			continue;
		path = strip_path(p + 4, (size_t)(eol - p - 4));
		/* A deleted file: +++ /dev/null, the name is on the --- line. */
		if (!path && old)
			path = strip_path(old, old_len);
		if (!path || !safe_path(path)) {
			log_error("%s:%u: the file this diff patches must be a path inside the tree (for patch -p1: 'b/dir/file'), not '%.*s'",
				  origin, line, (int)(eol - p - 4), p + 4);
			free(path);
			return -1;
		}
		add_unique(list, count, path);
	}
	return 0;
}

/* The file named in the "|--- a/x" line of the quoted diff header that
 * follows "can't find file to patch". */
static void missing_file(const char *p, char *buf, size_t size)
{
	const char *q = strstr(p, "\n|--- ");
	const char *eol;
	char *path;

	if (!q) {
		snprintf(buf, size, "a file the patch names does not exist");
		return;
	}
	q += 6;
	eol = strchrnul(q, '\n');
	path = strip_path(q, (size_t)(eol - q));
	snprintf(buf, size, "%s: no such file in the tree",
		 path ? path : "(unknown)");
	free(path);
}

int kpatch_first_rejection(const char *output, char *buf, size_t size)
{
	const char *p, *eol, *file = NULL;
	size_t file_len = 0;

	for (p = output; *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		if (!strncmp(p, "patching file ", 14)) {
			file = p + 14;
			file_len = (size_t)(eol - file);
		} else if (!strncmp(p, "can't find file to patch", 24)) {
			missing_file(p, buf, size);
			return 0;
		} else if (file && !strncmp(p, "Hunk #", 6) &&
			   memmem(p, (size_t)(eol - p), "FAILED", 6)) {
			/* "Hunk #1 FAILED at 2250." without its full stop */
			snprintf(buf, size, "%.*s: %.*s", (int)file_len, file,
				 (int)(eol - p - (eol[-1] == '.')), p);
			return 0;
		} else if (file && !strncmp(p, "Reversed (or previously applied)", 32)) {
			snprintf(buf, size, "%.*s: already patched (patch found the change reversed)",
				 (int)file_len, file);
			return 0;
		}
	}
	return -1;
}

static void series_free(struct series *s)
{
	size_t i;
	int k;

	for (k = 0; k < s->n; k++) {
		free(s->ents[k]);
		if (s->text)
			free(s->text[k]);
	}
	for (i = 0; i < s->ntargets; i++)
		free(s->targets[i]);
	free(s->ents);
	free(s->text);
	free(s->targets);
	free(s->dir);
}

static char *patch_path(const struct series *s, int k)
{
	return xasprintf("%s/%s", s->dir, s->ents[k]->d_name);
}

static int series_load(const struct duplex_paths *paths, struct series *s)
{
	char *origin;
	int k;

	memset(s, 0, sizeof(*s));
	s->dir = xasprintf("%s/patches", paths->kernel);
	s->shown = paths_shown(paths, s->dir);
	s->n = scandir(s->dir, &s->ents, is_patch, alphasort);
	if (s->n < 0 && errno == ENOENT && *paths->flavour) {
		s->n = 0;
	} else if (s->n < 0) {
		log_error("cannot read the patch series in '%s': %m", s->dir);
		s->n = 0;
		return -1;
	}
	s->text = xcalloc((size_t)s->n + 1, sizeof(*s->text));
	for (k = 0; k < s->n; k++) {
		char *path = patch_path(s, k);

		s->text[k] = read_file(path, NULL);
		free(path);
		if (!s->text[k])
			return -1;
		origin = xasprintf("%s/%s", s->shown, s->ents[k]->d_name);
		if (kpatch_targets(s->text[k], origin, &s->targets,
				   &s->ntargets) < 0) {
			free(origin);
			return -1;
		}
		free(origin);
	}
	return 0;
}

/* What the series was applied to and with: the stamp's text.  A target
 * missing from the pristine tree (a new file) counts as such. */
static char *stamp_text(const struct series *s, const char *pristine)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h = FNV1A_START;
	size_t i;
	int k;

	for (k = 0; k < s->n; k++) {
		h = fnv1a(h, s->ents[k]->d_name, strlen(s->ents[k]->d_name) + 1);
		h = fnv1a(h, s->text[k], strlen(s->text[k]) + 1);
	}
	strbuf_printf(&sb, "series %016" PRIx64 "\n", h);
	for (i = 0; i < s->ntargets; i++) {
		char *path = xasprintf("%s/%s", pristine, s->targets[i]);
		size_t len = 0;
		char *data = path_exists(path) ? read_file(path, &len) : NULL;

		strbuf_printf(&sb, "%016" PRIx64 " %s\n",
			  data ? fnv1a(FNV1A_START, data, len) : 0,
			  s->targets[i]);
		free(data);
		free(path);
	}
	return strbuf_detach(&sb);
}

/* The id of what the stamp's text says was applied (struct kpatch_tree). */
static void tree_id(const char *stamp, char id[17])
{
	snprintf(id, 17, "%016" PRIx64, fnv1a(FNV1A_START, stamp, strlen(stamp)));
}

/* build/src/linux-source-6.1 -> build/src/linux-source-6.1.patched (a
 * kernel flavour's: .FLAVOUR.patched, its own series applied); a $KSRC
 * elsewhere gets a name from a hash of its path.  The private tree
 * of the Debian source has the same path relative to build/ in every
 * checkout: ccache (CCACHE_BASEDIR=build) then serves a fresh clone. */
static char *tree_base(const struct duplex_paths *paths, const char *pristine)
{
	char *debian = xasprintf("%s/src/" DEBIAN_TREE, paths->build);
	char *base;

	if (!strcmp(pristine, debian))
		base = xasprintf("%s%s%s", debian, *paths->flavour ? "." : "",
				 paths->flavour);
	else
		base = xasprintf("%s/src/ksrc-%016" PRIx64 "%s%s", paths->build,
				 fnv1a(FNV1A_START, pristine, strlen(pristine)),
				 *paths->flavour ? "." : "", paths->flavour);
	free(debian);
	return base;
}

static bool same_filesystem(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/* Mirror PRISTINE into TREE, every file a hard link where the filesystem
 * allows, except the series' targets (TREE keeps its patched copies). */
static int sync_tree(const struct series *s, const char *pristine,
		     const char *tree, const char *build, int log_fd)
{
	size_t nargs = 8 + s->ntargets, i, a = 0;
	const char **argv = xcalloc(nargs + 1, sizeof(*argv));
	char **owned = xcalloc(s->ntargets + 3, sizeof(*owned));
	int status;

	argv[a++] = "rsync";
	argv[a++] = "-a";
	argv[a++] = "--delete";
	argv[a++] = "--exclude=/.git";
	if (mkdir_p(tree, 0755) < 0) {
		status = -1;
		goto out;
	}
	if (same_filesystem(pristine, tree))
		argv[a++] = owned[s->ntargets] =
			xasprintf("--link-dest=%s", pristine);
	for (i = 0; i < s->ntargets; i++)
		argv[a++] = owned[i] = xasprintf("--exclude=/%s", s->targets[i]);
	argv[a++] = owned[s->ntargets + 1] = xasprintf("%s/", pristine);
	argv[a++] = owned[s->ntargets + 2] = xasprintf("%s/", tree);
	dprintf(log_fd, "\n$ rsync ... %s/ %s/\n", pristine, tree);
	status = run_command(argv, NULL, log_fd);
	if (status != 0)
		log_error("cannot copy the kernel tree '%s' to '%s' (rsync exit status %d; its output: %s/logs/patches.log)",
			  pristine, tree, status, build);
out:
	for (i = 0; i < s->ntargets + 3; i++)
		free(owned[i]);
	free(owned);
	free(argv);
	return status == 0 ? 0 : -1;
}

/* Fresh copies of the pristine targets in STAGE, for patch to work on. */
static int stage_targets(const struct series *s, const char *pristine,
			 const char *stage)
{
	size_t i;
	int ret = 0;

	if (remove_tree(stage) < 0 || mkdir_p(stage, 0755) < 0)
		return -1;
	for (i = 0; i < s->ntargets && ret == 0; i++) {
		char *from = xasprintf("%s/%s", pristine, s->targets[i]);
		char *to = xasprintf("%s/%s", stage, s->targets[i]);
		char *dir = xstrdup(to);
		struct stat st;

		if (stat(from, &st) == 0)
			ret = mkdir_p(dirname(dir), 0755) < 0 ||
			      copy_file(from, to, st.st_mode & 07777) < 0 ? -1 : 0;
		free(from);
		free(to);
		free(dir);
	}
	return ret;
}

static int apply_one(const struct series *s, int k, const char *pristine,
		     const char *stage, const char *build, int log_fd)
{
	char *path = patch_path(s, k);
	const char *argv[] = { "patch", "-p1", "-d", stage, "--batch",
			       "--forward", "--fuzz=0",
			       "--no-backup-if-mismatch", "-r", "-", "-i", path,
			       NULL };
	char why[512], *out = NULL;
	int status;

	dprintf(log_fd, "\n$ patch -p1 ... -i %s\n", path);
	status = run_capture(argv, log_fd, &out);
	if (out)
		dprintf(log_fd, "%s", out);
	if (status == 0)
		goto out;
	if (status > 0 && kpatch_first_rejection(out, why, sizeof(why)) == 0)
		log_error("%s/%s does not apply to %s: %s (patch's output: %s/logs/patches.log): point KSRC at a Linux 6.1 tree (or unset it for Debian's " DEBIAN_TREE "), refresh the patch, or use a kernel flavour of your own (docs/kernel-flavours.md)",
			  s->shown, s->ents[k]->d_name, pristine, why, build);
	else
		log_error("%s/%s does not apply to %s (patch exit status %d; its output: %s/logs/patches.log)",
			  s->shown, s->ents[k]->d_name, pristine, status, build);
out:
	free(out);
	free(path);
	return status == 0 ? 0 : -1;
}

/* Replace TREE's copy of each target by STAGE's if its content differs
 * (a new inode: a hard link would carry the change into the pristine
 * tree); remove it if the series deletes it. */
static int install_targets(const struct series *s, const char *stage,
			   const char *tree)
{
	size_t i, len, old_len;
	int ret = 0;

	for (i = 0; i < s->ntargets && ret == 0; i++) {
		char *from = xasprintf("%s/%s", stage, s->targets[i]);
		char *to = xasprintf("%s/%s", tree, s->targets[i]);
		char *dir = xstrdup(to);
		char *data = NULL, *old = NULL;
		struct stat st;

		if (stat(from, &st) < 0) {
			if (unlink(to) < 0 && errno != ENOENT) {
				log_error("cannot remove '%s': %m", to);
				ret = -1;
			}
			goto next;
		}
		data = read_file(from, &len);
		old = path_exists(to) ? read_file(to, &old_len) : NULL;
		if (!data)
			ret = -1;
		else if (!old || old_len != len || memcmp(old, data, len))
			ret = mkdir_p(dirname(dir), 0755) < 0 ||
			      write_file_atomic(to, data, len,
						st.st_mode & 07777) < 0 ? -1 : 0;
next:
		free(data);
		free(old);
		free(from);
		free(to);
		free(dir);
	}
	return ret;
}

/* Apply the series afresh in STAGE and bring TREE's targets in line. */
static int apply_series(const struct series *s, const char *pristine,
			const char *stage, const char *tree,
			const char *build, int log_fd)
{
	int k;

	log_info("kbuild: applying %s (%d patch%s) to a private copy of %s",
		 s->shown, s->n, s->n == 1 ? "" : "es", pristine);
	if (stage_targets(s, pristine, stage) < 0)
		return -1;
	for (k = 0; k < s->n; k++)
		if (apply_one(s, k, pristine, stage, build, log_fd) < 0)
			return -1;
	return install_targets(s, stage, tree);
}

static int open_log(const struct duplex_paths *paths)
{
	char *logs = xasprintf("%s/logs", paths->build);
	char *path = xasprintf("%s/patches.log", logs);
	int fd = -1;

	if (mkdir_p(logs, 0755) == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			log_error("cannot open '%s': %m", path);
	}
	free(logs);
	free(path);
	return fd;
}

static int prepare(const struct duplex_paths *paths, const struct series *s,
		   const char *pristine, struct kpatch_tree *tree, int log_fd)
{
	char *base = tree_base(paths, pristine);
	char *stamp_path = xasprintf("%s.stamp", base);
	char *stage = xasprintf("%s.stage", base);
	char *stamp = stamp_text(s, pristine), *old = NULL;
	int ret = -1;

	tree->dir = xasprintf("%s.patched", base);
	tree_id(stamp, tree->id);
	dprintf(log_fd, "\n=== duplex kpatch: %s -> %s ===\n", pristine, tree->dir);
	if (sync_tree(s, pristine, tree->dir, paths->build, log_fd) < 0)
		goto out;
	if (path_exists(stamp_path))
		old = read_file(stamp_path, NULL);
	if (old && !strcmp(old, stamp)) {
		ret = 0;
		goto out;
	}
	/* No stamp while the targets change: an interrupted run redoes it. */
	if (unlink(stamp_path) < 0 && errno != ENOENT) {
		log_error("cannot remove '%s': %m", stamp_path);
		goto out;
	}
	if (apply_series(s, pristine, stage, tree->dir, paths->build,
			 log_fd) < 0)
		goto out;
	ret = write_file_atomic(stamp_path, stamp, strlen(stamp), 0644);
out:
	remove_tree(stage);
	free(old);
	free(stamp);
	free(stage);
	free(stamp_path);
	free(base);
	return ret;
}

int kpatch_prepare(const struct duplex_paths *paths, const char *pristine,
		   struct kpatch_tree *tree)
{
	struct series s;
	int log_fd, ret = -1;

	memset(tree, 0, sizeof(*tree));
	if (!in_path("rsync") || !in_path("patch")) {
		log_error("applying kernel/patches needs rsync and patch: run 'make deps' (or apt-get install rsync patch)");
		return -1;
	}
	if (series_load(paths, &s) < 0)
		goto out;
	log_fd = open_log(paths);
	if (log_fd < 0)
		goto out;
	ret = prepare(paths, &s, pristine, tree, log_fd);
	close(log_fd);
out:
	series_free(&s);
	if (ret < 0)
		kpatch_tree_free(tree);
	return ret;
}

int kpatch_state(const struct duplex_paths *paths, const char *pristine,
		 const char *id, uint64_t *hash)
{
	char *base = tree_base(paths, pristine), *stamp, now[17];
	struct series s;
	uint64_t h;
	int ret = -1;

	if (series_load(paths, &s) < 0)
		goto out;
	if (!id) {
		stamp = stamp_text(&s, pristine);
		tree_id(stamp, now);
		free(stamp);
		id = now;
	}
	h = fnv1a(FNV1A_START, id, strlen(id) + 1);
	for (size_t i = 0; i < s.ntargets; i++) {
		char *path = xasprintf("%s.patched/%s", base, s.targets[i]);

		h = kstamp_file_state(h, path);
		free(path);
	}
	*hash = h;
	ret = 0;
out:
	series_free(&s);
	free(base);
	return ret;
}

void kpatch_tree_free(struct kpatch_tree *tree)
{
	free(tree->dir);
	tree->dir = NULL;
}

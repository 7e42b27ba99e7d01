#define _GNU_SOURCE
#include "buildlog.h"
#include "kbuild.h"
#include "kconfig.h"
#include "kpatch.h"
#include "kstamp.h"
#include "kstats.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_STAMP	".duplex-config-stamp"
#define BUILD_STAMP	".duplex-build-stamp"

/* What the kernels of one duplex build share: the tree, prepared only
 * when a kernel needs building, and the inputs' hash (kstamp.h). */
struct shared {
	const char *pristine;
	struct kpatch_tree tree;	/* .dir NULL until prepared */
	uint64_t outside;	/* the pristine tree, the toolchain */
	uint64_t stamp;		/* outside and the private tree's state */
};

/* One replica being built: where its pieces are, and the fragments'
 * text, read once. */
struct replica {
	const struct duplex_paths *paths;
	struct shared *shared;
	const struct kpatch_tree *tree;
	const char *src;	/* tree->dir */
	unsigned n;
	const char *variant;	/* "" for none */
	char *name;		/* "replica1", "replica1-kasan" */
	unsigned jobs;
	bool ccache;
	int64_t start;
	char *objdir;
	char *config_path;	/* objdir/.config */
	char *stamp_path;	/* objdir/CONFIG_STAMP */
	char *build_stamp_path;	/* objdir/BUILD_STAMP */
	char *image;		/* objdir/arch/x86/boot/bzImage */
	char *common_path;	/* kernel/common.config */
	char *frag_path;	/* kernel/replicaN.config */
	char *variant_path;	/* kernel/variant-V.config, NULL for none */
	char *common;
	char *frag;
	char *variant_frag;	/* "" for none */
	char *required_path;	/* kernel/required.config */
	char *required;
	uint64_t inputs;	/* the texts above */
	char *log_path;
	int log_fd;
	off_t log_start;	/* where this run's output begins in the log */
	struct progress *meter;
	uint64_t compiled;	/* make's CC and AS lines so far */
	bool from_scratch;	/* no object of it yet */
};

/* Run ARGV with its output appended to LOG_FD, after the command itself;
 * ON_LINE (if not NULL) reads the output as it comes. */
static int run_logged(const char *const argv[], const char *dir, int log_fd,
		      line_watcher on_line, void *ctx)
{
	size_t i;

	dprintf(log_fd, "\n$");
	for (i = 0; argv[i]; i++)
		dprintf(log_fd, " %s", argv[i]);
	dprintf(log_fd, "\n");
	if (on_line)
		return run_watched(argv, dir, log_fd, on_line, ctx);
	return run_command(argv, dir, log_fd);
}

/* Make's "  CC      init/main.o" and "  AS      arch/x86/..." lines: an
 * object each, compiled from C or assembly.  The other lines (AR, LD,
 * GEN ...) are steps that make no object, or link the counted ones. */
static void count_objects(const char *line, void *ctx)
{
	struct replica *r = ctx;

	if (line && (!strncmp(line, "  CC ", 5) || !strncmp(line, "  AS ", 5)))
		r->compiled++;
	progress_update(r->meter, r->compiled);
}

/* Run make TARGET for replica R, its objects counted; every make call
 * gets the same variables, or Kconfig would notice a different $(CC) and
 * reconfigure. */
static int run_make(struct replica *r, const char *target)
{
	char *dir_arg = xasprintf("O=%s", r->objdir);
	char *jobs_arg = xasprintf("-j%u", r->jobs);
	/* CC last: without ccache, its NULL ends the list. */
	const char *argv[] = { "make", "-C", r->src, dir_arg, "ARCH=x86_64",
			       jobs_arg, target,
			       r->ccache ? "CC=ccache gcc" : NULL, NULL };
	int status = run_logged(argv, NULL, r->log_fd, count_objects, r);

	free(dir_arg);
	free(jobs_arg);
	return status;
}

static void report_step_failure(struct replica *r, const char *step,
				int status)
{
	const char *log = paths_shown(r->paths, r->log_path);
	char took[32];

	progress_stop(r->meter);
	progress_format_duration(now_ms() - r->start, took, sizeof(took));
	log_error("%s: %s failed (exit status %d) after %s; full log: %s",
		  r->name, step, status, took, log);
	buildlog_show_excerpt(r->log_path, log, r->log_start);
}

/* tinyconfig, then the fragments on top, then the defaults of whatever
 * they turned on. */
static int configure(struct replica *r)
{
	char *merge = xasprintf("%s/scripts/kconfig/merge_config.sh", r->src);
	const char *argv[] = { "sh", merge, "-m", "-O", r->objdir,
			       r->config_path, r->common_path, r->frag_path,
			       r->variant_path, NULL };
	const char *step = "make tinyconfig";
	int status;

	log_debug("kbuild: %s: configuring", r->name);
	status = run_make(r, "tinyconfig");
	if (status == 0) {
		/* It makes its temporary files in the current directory. */
		step = "merge_config.sh";
		status = run_logged(argv, r->objdir, r->log_fd, NULL, NULL);
	}
	if (status == 0) {
		step = "make olddefconfig";
		status = run_make(r, "olddefconfig");
	}
	if (status != 0)
		report_step_failure(r, step, status);
	free(merge);
	return status ? -1 : 0;
}

/* CONFIG must hold what the fragments asked for and what the harness
 * needs.  Checked on every build: it is cheap, and kernel/required.config
 * may change without a reconfiguration. */
static int check_config(struct replica *r, const char *config)
{
	const char *co = paths_shown(r->paths, r->config_path);
	char *later;
	int ret;

	/* Its errors go on lines of their own; the status line comes back
	 * with make's next line. */
	progress_suspend(r->meter);
	later = xasprintf("%s\n%s", r->frag, r->variant_frag);
	ret = kconfig_check_fragment(config, co, r->common,
				     paths_shown(r->paths, r->common_path), later);
	if (kconfig_check_fragment(config, co, r->frag,
				   paths_shown(r->paths, r->frag_path),
				   r->variant_frag) < 0)
		ret = -1;
	if (r->variant_path &&
	    kconfig_check_fragment(config, co, r->variant_frag,
				   paths_shown(r->paths, r->variant_path), NULL) < 0)
		ret = -1;
	free(later);
	/* A dropped fragment option would be reported again, less precisely. */
	if (ret == 0)
		ret = kconfig_check_required(config, co, r->required,
					     paths_shown(r->paths, r->required_path));
	return ret;
}

static char *stamp_text(const struct replica *r, const char *config)
{
	uint64_t in = FNV1A_START;

	in = fnv1a(in, r->src, strlen(r->src) + 1);
	in = fnv1a(in, r->tree->id, strlen(r->tree->id) + 1);
	in = fnv1a(in, r->common, strlen(r->common) + 1);
	in = fnv1a(in, r->frag, strlen(r->frag) + 1);
	in = fnv1a(in, r->variant_frag, strlen(r->variant_frag) + 1);
	return xasprintf("inputs %016" PRIx64 " config %016" PRIx64 "\n", in,
			 fnv1a(FNV1A_START, config, strlen(config)));
}

/* The stamp, if .config still comes from these very fragments and tree
 * and nobody changed it since; NULL if it has to be regenerated. */
static char *current_stamp(const struct replica *r, char **config)
{
	char *old = NULL, *stamp = NULL;

	*config = NULL;
	if (path_exists(r->stamp_path) && path_exists(r->config_path)) {
		old = read_file(r->stamp_path, NULL);
		*config = old ? read_file(r->config_path, NULL) : NULL;
	}
	if (*config)
		stamp = stamp_text(r, *config);
	if (stamp && strcmp(stamp, old) != 0) {
		free(stamp);
		stamp = NULL;
	}
	free(old);
	return stamp;
}

/* Reconfigure only when the stamp says so: an untouched .config recompiles
 * nothing. */
static int ensure_config(struct replica *r)
{
	char *config, *stamp = current_stamp(r, &config);
	int ret = -1;

	if (!stamp) {
		free(config);
		config = NULL;
		unlink(r->stamp_path);
		if (configure(r) < 0)
			goto out;
		config = read_file(r->config_path, NULL);
		if (!config)
			goto out;
	}
	if (check_config(r, config) < 0)
		goto out;
	if (!stamp) {
		stamp = stamp_text(r, config);
		if (write_file_atomic(r->stamp_path, stamp, strlen(stamp),
				      0644) < 0)
			goto out;
	}
	ret = 0;
out:
	free(config);
	free(stamp);
	return ret;
}

/* What this build measured, for the next one's progress: a failure to
 * write it costs only that. */
static void record_stats(const struct replica *r)
{
	struct kstats st;

	kstats_load(r->objdir, &st);
	st.objects = kstats_count_objects(r->objdir);
	if (r->from_scratch)
		st.scratch_ms = now_ms() - r->start;
	kstats_save(r->objdir, &st);
}

static int compile(struct replica *r)
{
	struct stat before, after;
	bool existed = stat(r->image, &before) == 0;
	char took[32], *tail;
	int status;

	status = run_make(r, "bzImage");
	if (status != 0) {
		report_step_failure(r, "make bzImage", status);
		return -1;
	}
	record_stats(r);
	if (existed && stat(r->image, &after) == 0 &&
	    before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec) {
		progress_stop(r->meter);
		progress_format_duration(now_ms() - r->start, took, sizeof(took));
		log_info("kbuild: %s up to date (%s)", r->name, took);
	} else {
		tail = xasprintf(" (log: %s)", paths_shown(r->paths, r->log_path));
		progress_end(r->meter, tail);
		free(tail);
	}
	return 0;
}

/* The stamp of R's inputs (kstamp.h) as its build would leave it. */
static char *build_stamp(const struct replica *r)
{
	const char *const outputs[] = { r->config_path, r->stamp_path,
					r->image, NULL };

	return kstamp_text(r->shared->stamp, r->inputs, outputs);
}

static bool up_to_date(const struct replica *r)
{
	char *stamp = build_stamp(r), took[32];
	bool same = kstamp_matches(r->build_stamp_path, stamp);

	if (same) {
		progress_format_duration(now_ms() - r->start, took, sizeof(took));
		log_info("kbuild: %s up to date (%s; nothing it is built from changed)",
			 r->name, took);
	}
	free(stamp);
	return same;
}

/* Written after a successful build only: without it, the next build
 * runs kbuild. */
static int write_build_stamp(const struct replica *r)
{
	char *stamp = build_stamp(r);
	int ret = write_file_atomic(r->build_stamp_path, stamp, strlen(stamp),
				    0644);

	free(stamp);
	return ret;
}

/* R's meter.  From scratch, its objects are counted against those of
 * its last build here or, never built here, the most another kernel here
 * has: counted, not guessed, and the meter never shows more than that.
 * Otherwise how many make recompiles is make's to decide (its dry run
 * costs as much as a build that compiles nothing, and miscounts): the
 * meter counts them without a total. */
static void start_meter(struct replica *r)
{
	char *label = xasprintf("kbuild: %s", r->name);
	struct kstats st = { 0 };

	r->from_scratch = kstats_count_objects(r->objdir) == 0;
	if (r->from_scratch) {
		log_info("kbuild: %s: building bzImage from scratch (log: %s)",
			 r->name, paths_shown(r->paths, r->log_path));
		kstats_load(r->objdir, &st);
		if (!st.objects)
			kstats_largest(r->paths->build, &st);
	}
	r->compiled = 0;
	progress_begin(r->meter, label, "object compiled", "objects compiled",
		       st.objects);
	free(label);
}

static int open_replica(struct replica *r)
{
	char *logs = xasprintf("%s/logs", r->paths->build);
	int ret = -1;

	r->name = paths_kernel_name(r->paths, r->n, r->variant);
	r->objdir = paths_kernel_objdir(r->paths, r->n, r->variant);
	r->config_path = xasprintf("%s/.config", r->objdir);
	r->stamp_path = xasprintf("%s/" CONFIG_STAMP, r->objdir);
	r->build_stamp_path = xasprintf("%s/" BUILD_STAMP, r->objdir);
	r->image = paths_kernel_image(r->paths, r->n, r->variant);
	r->required_path = xasprintf("%s/kernel/required.config",
				     r->paths->root);
	r->common_path = xasprintf("%s/common.config", r->paths->kernel);
	r->frag_path = xasprintf("%s/replica%u.config", r->paths->kernel,
				 r->n);
	if (*r->variant)
		r->variant_path = xasprintf("%s/variant-%s.config",
					    r->paths->kernel, r->variant);
	r->log_path = xasprintf("%s/%s.log", logs, r->name);
	r->common = read_file(r->common_path, NULL);
	r->frag = r->common ? read_file(r->frag_path, NULL) : NULL;
	if (r->frag)
		r->variant_frag = r->variant_path ?
			read_file(r->variant_path, NULL) : xstrdup("");
	if (r->variant_frag)
		r->required = read_file(r->required_path, NULL);
	if (!r->required)
		goto out;
	r->inputs = fnv1a(FNV1A_START, r->objdir, strlen(r->objdir) + 1);
	r->inputs = fnv1a(r->inputs, r->common, strlen(r->common) + 1);
	r->inputs = fnv1a(r->inputs, r->frag, strlen(r->frag) + 1);
	r->inputs = fnv1a(r->inputs, r->variant_frag,
			  strlen(r->variant_frag) + 1);
	r->inputs = fnv1a(r->inputs, r->required, strlen(r->required) + 1);
	ret = 0;
out:
	free(logs);
	return ret;
}

/* Only a kernel to build gets a log entry. */
static int open_log(struct replica *r)
{
	char *logs = xasprintf("%s/logs", r->paths->build);
	int ret = -1;

	if (mkdir_p(r->objdir, 0755) < 0 || mkdir_p(logs, 0755) < 0)
		goto out;
	r->log_fd = open(r->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			 0644);
	if (r->log_fd < 0) {
		log_error("cannot open build log '%s': %m", r->log_path);
		goto out;
	}
	r->log_start = lseek(r->log_fd, 0, SEEK_END);
	dprintf(r->log_fd, "\n=== duplex kbuild: %s from %s ===\n", r->name,
		r->src);
	ret = 0;
out:
	free(logs);
	return ret;
}

static void close_replica(struct replica *r)
{
	if (r->log_fd >= 0)
		close(r->log_fd);
	free(r->name);
	free(r->objdir);
	free(r->config_path);
	free(r->stamp_path);
	free(r->build_stamp_path);
	free(r->image);
	free(r->required_path);
	free(r->required);
	free(r->common_path);
	free(r->frag_path);
	free(r->variant_path);
	free(r->common);
	free(r->frag);
	free(r->variant_frag);
	free(r->log_path);
}

/* Two duplex builds at once would race in the same objdirs and the same
 * partial extraction: the second one waits.  The lock goes with the fd. */
static int lock_build_dir(const struct duplex_paths *paths)
{
	char *path = xasprintf("%s/.kbuild.lock", paths->build);
	int fd = -1;

	if (mkdir_p(paths->build, 0755) < 0)
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("cannot open lock file '%s': %m", path);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		goto out;
	log_info("kbuild: waiting for another duplex build (lock %s)",
		 paths_shown(paths, path));
	if (flock(fd, LOCK_EX) < 0) {
		log_error("cannot lock '%s': %m", path);
		close(fd);
		fd = -1;
	}
out:
	free(path);
	return fd;
}

static unsigned default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus > 0 ? (unsigned)cpus : 1;
}

/* The private tree, brought up to date for the first kernel that needs
 * building; the shared stamp then says what the tree is now. */
static int prepare_tree(struct replica *r)
{
	struct shared *sh = r->shared;
	uint64_t state;

	if (!sh->tree.dir) {
		if (kpatch_prepare(r->paths, sh->pristine, &sh->tree) < 0 ||
		    kpatch_state(r->paths, sh->pristine, sh->tree.id,
				 &state) < 0)
			return -1;
		sh->stamp = fnv1a(sh->outside, &state, sizeof(state));
		log_debug("kbuild: source tree %s (patched copy of %s), ccache %s, -j%u",
			  sh->tree.dir, sh->pristine,
			  r->ccache ? "on" : "not installed", r->jobs);
	}
	r->tree = &sh->tree;
	r->src = sh->tree.dir;
	return 0;
}

/* Build one kernel, unless its stamp says nothing it is built from
 * changed; R holds what every build shares. */
static int build_one(struct replica r, const struct kbuild_kernel *k)
{
	int ret;

	r.n = k->replica;
	r.variant = k->variant;
	r.start = now_ms();
	r.log_fd = -1;
	ret = open_replica(&r);
	if (ret < 0 || up_to_date(&r))
		goto out;
	ret = prepare_tree(&r) < 0 || open_log(&r) < 0 ? -1 : 0;
	if (ret < 0)
		goto out;
	/* A build that fails or is interrupted leaves no stamp: the next
	 * one runs kbuild, whatever was put back meanwhile. */
	if (unlink(r.build_stamp_path) < 0 && errno != ENOENT) {
		log_error("cannot remove '%s': %m", r.build_stamp_path);
		ret = -1;
		goto out;
	}
	r.start = now_ms();
	start_meter(&r);
	ret = ensure_config(&r) < 0 || compile(&r) < 0 ||
	      write_build_stamp(&r) < 0 ? -1 : 0;
	progress_stop(r.meter);
out:
	close_replica(&r);
	return ret;
}

/* What every kernel's stamp holds, read before anything is built: the
 * pristine tree, the toolchain, the private tree's state. */
static int shared_inputs(const struct duplex_paths *paths, bool ccache,
			 struct shared *sh)
{
	uint64_t tree, state;

	if (kstamp_tree(sh->pristine, &tree) < 0 ||
	    kpatch_state(paths, sh->pristine, NULL, &state) < 0)
		return -1;
	sh->outside = fnv1a(kstamp_toolchain(tree, ccache), sh->pristine,
			    strlen(sh->pristine) + 1);
	sh->stamp = fnv1a(sh->outside, &state, sizeof(state));
	return 0;
}

int kbuild_build(const struct kbuild_options *opts,
		 const struct kbuild_kernel *kernels, unsigned count)
{
	struct replica r = { .paths = opts->paths, .ccache = in_path("ccache"),
			     .jobs = opts->jobs ? opts->jobs : default_jobs() };
	struct shared sh = { 0 };
	struct progress meter;
	char *pristine = NULL;
	unsigned i;
	int lock, ret = -1;

	for (i = 0; i < count; i++)
		if (kconfig_check_kernel(opts->paths, kernels[i].replica,
					 kernels[i].variant) < 0)
			return -1;
	lock = lock_build_dir(opts->paths);
	if (lock < 0)
		return -1;
	kstats_announce_scratch(opts->paths, kernels, count,
				default_jobs() < r.jobs ? default_jobs() : r.jobs);
	r.meter = &meter;
	progress_init_stdout(&meter, opts->quiet);
	if (kbuild_source_tree(opts, &pristine) < 0)
		goto out;
	sh.pristine = pristine;
	if (shared_inputs(opts->paths, r.ccache, &sh) < 0)
		goto out;
	/* Kbuild passes absolute paths to the compiler; relative to the build
	 * directory they are the same in every checkout, so a fresh clone
	 * (CI's) hits the cache that an earlier one filled. */
	if (r.ccache)
		setenv("CCACHE_BASEDIR", opts->paths->build, 0);
	r.shared = &sh;
	/* One after the other, each with every CPU: as fast as in parallel,
	 * and each log reads in order. */
	ret = 0;
	for (i = 0; i < count && ret == 0; i++)
		ret = build_one(r, &kernels[i]);
out:
	kpatch_tree_free(&sh.tree);
	free(pristine);
	close(lock);
	return ret;
}

#define _GNU_SOURCE
#include "buildlog.h"
#include "kbuild.h"
#include "kconfig.h"
#include "kpatch.h"
#include "kstats.h"
#include "base/base.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_STAMP	".duplex-config-stamp"

/* One replica being built: where its pieces are, and the fragments'
 * text, read once. */
struct replica {
	const struct duplex_paths *paths;
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
	char *common_path;	/* kernel/common.config */
	char *frag_path;	/* kernel/replicaN.config */
	char *variant_path;	/* kernel/variant-V.config, NULL for none */
	char *common;
	char *frag;
	char *variant_frag;	/* "" for none */
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
	char *required_path = xasprintf("%s/kernel/required.config",
					r->paths->root);
	char *required = read_file(required_path, NULL);
	const char *co = paths_shown(r->paths, r->config_path);
	char *later;
	int ret;

	/* Its errors go on lines of their own; the status line comes back
	 * with make's next line. */
	progress_suspend(r->meter);
	if (!required) {
		free(required_path);
		return -1;
	}
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
		ret = kconfig_check_required(config, co, required,
					     paths_shown(r->paths, required_path));
	free(required_path);
	free(required);
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
	char *image = paths_kernel_image(r->paths, r->n, r->variant);
	struct stat before, after;
	bool existed = stat(image, &before) == 0;
	char took[32], *tail;
	int status;

	status = run_make(r, "bzImage");
	if (status != 0) {
		report_step_failure(r, "make bzImage", status);
		free(image);
		return -1;
	}
	record_stats(r);
	if (existed && stat(image, &after) == 0 &&
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
	free(image);
	return 0;
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
	progress_begin(r->meter, label, "objects compiled", st.objects);
	free(label);
}

/* Refuse a bad replica or variant before spending minutes on the others. */
static int check_kernel(const struct duplex_paths *paths,
			const struct kbuild_kernel *k)
{
	char *frag, *variant = NULL;
	int ret = -1;

	if (k->replica < 1 || k->replica > DUPLEX_MAX_REPLICAS) {
		log_error("replica %u does not exist: replicas are numbered 1 to %d",
			  k->replica, DUPLEX_MAX_REPLICAS);
		return -1;
	}
	frag = xasprintf("%s/kernel/replica%u.config", paths->root, k->replica);
	if (*k->variant)
		variant = xasprintf("%s/kernel/variant-%s.config", paths->root,
				    k->variant);
	if (!path_exists(frag))
		log_error("replica %u has no config fragment %s: create it (kernel/replica1.config is an example)",
			  k->replica, paths_shown(paths, frag));
	else if (variant && !path_exists(variant))
		log_error("variant '%s' has no config fragment %s: create it (lines as in kernel/common.config) or drop 'variant' from the profile",
			  k->variant, paths_shown(paths, variant));
	else
		ret = 0;
	free(frag);
	free(variant);
	return ret;
}

static int open_replica(struct replica *r)
{
	char *logs = xasprintf("%s/logs", r->paths->build);
	int ret = -1;

	r->name = paths_kernel_name(r->n, r->variant);
	r->objdir = paths_kernel_objdir(r->paths, r->n, r->variant);
	r->config_path = xasprintf("%s/.config", r->objdir);
	r->stamp_path = xasprintf("%s/" CONFIG_STAMP, r->objdir);
	r->common_path = xasprintf("%s/kernel/common.config", r->paths->root);
	r->frag_path = xasprintf("%s/kernel/replica%u.config", r->paths->root,
				 r->n);
	if (*r->variant)
		r->variant_path = xasprintf("%s/kernel/variant-%s.config",
					    r->paths->root, r->variant);
	r->log_path = xasprintf("%s/%s.log", logs, r->name);
	r->common = read_file(r->common_path, NULL);
	r->frag = r->common ? read_file(r->frag_path, NULL) : NULL;
	if (r->frag)
		r->variant_frag = r->variant_path ?
			read_file(r->variant_path, NULL) : xstrdup("");
	if (!r->variant_frag || mkdir_p(r->objdir, 0755) < 0 ||
	    mkdir_p(logs, 0755) < 0)
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

/* A kernel from scratch with an empty ccache takes about this many
 * CPU-minutes: replica1 and replica2 took 359 s and 336 s on 2 cores
 * (`make bench`, docs/layout.md).  The rule for a host where nothing was
 * built yet. */
#define SCRATCH_CPU_MINUTES 12

/* The names of the KERNELS that have no object yet, comma-separated;
 * *N of them. */
static char *scratch_kernels(const struct duplex_paths *paths,
			     const struct kbuild_kernel *kernels,
			     unsigned count, unsigned *n)
{
	struct strbuf names = STRBUF_INIT;

	*n = 0;
	for (unsigned i = 0; i < count; i++) {
		char *objdir = paths_kernel_objdir(paths, kernels[i].replica,
						   kernels[i].variant);
		char *name = paths_kernel_name(kernels[i].replica,
					       kernels[i].variant);

		if (!kstats_count_objects(objdir))
			strbuf_printf(&names, "%s%s", (*n)++ ? ", " : "", name);
		free(name);
		free(objdir);
	}
	return strbuf_detach(&names);
}

/* Kernels built from nothing take minutes each: a person starting the
 * first build on a machine is told what it does and for how long, from
 * a build measured here when there is one. */
static void announce_scratch_builds(const struct duplex_paths *paths,
				    const struct kbuild_kernel *kernels,
				    unsigned count, unsigned jobs)
{
	unsigned n, cores = default_jobs() < jobs ? default_jobs() : jobs;
	char *names = scratch_kernels(paths, kernels, count, &n);
	const char *plural = n == 1 ? "" : "s", *each = n == 1 ? "" : " each";
	char took[32];
	struct kstats seen;

	kstats_largest(paths->build, &seen);
	progress_format_duration(seen.scratch_ms, took, sizeof(took));
	if (n && seen.scratch_ms)
		log_info("kbuild: %u kernel%s to build from scratch (%s), about %s%s: the longest such build here took that",
			 n, plural, names, took, each);
	else if (n)
		log_info("kbuild: %u kernel%s to build from scratch (%s), about %u minutes%s on %u core%s (a rough rule, nothing measured here yet: %u CPU-minutes a kernel with an empty ccache)",
			 n, plural, names,
			 (SCRATCH_CPU_MINUTES + cores - 1) / cores, each, cores,
			 cores == 1 ? "" : "s", SCRATCH_CPU_MINUTES);
	free(names);
}

/* Build one kernel; R holds what every build shares. */
static int build_one(struct replica r, const struct kbuild_kernel *k)
{
	int ret;

	r.n = k->replica;
	r.variant = k->variant;
	r.start = now_ms();
	r.log_fd = -1;
	ret = open_replica(&r);
	if (ret == 0) {
		start_meter(&r);
		ret = ensure_config(&r) < 0 || compile(&r) < 0 ? -1 : 0;
		progress_stop(r.meter);
	}
	close_replica(&r);
	return ret;
}

int kbuild_build(const struct kbuild_options *opts,
		 const struct kbuild_kernel *kernels, unsigned count)
{
	struct replica r = { .paths = opts->paths, .ccache = in_path("ccache"),
			     .jobs = opts->jobs ? opts->jobs : default_jobs() };
	struct kpatch_tree tree = { 0 };
	struct progress meter;
	char *pristine = NULL;
	unsigned i;
	int lock, ret = -1;

	for (i = 0; i < count; i++)
		if (check_kernel(opts->paths, &kernels[i]) < 0)
			return -1;
	lock = lock_build_dir(opts->paths);
	if (lock < 0)
		return -1;
	announce_scratch_builds(opts->paths, kernels, count, r.jobs);
	r.meter = &meter;
	progress_init_stdout(&meter, opts->quiet);
	if (kbuild_source_tree(opts, &pristine) < 0 ||
	    kpatch_prepare(opts->paths, pristine, &tree) < 0)
		goto out;
	/* Kbuild passes absolute paths to the compiler; relative to the build
	 * directory they are the same in every checkout, so a fresh clone
	 * (CI's) hits the cache that an earlier one filled. */
	if (r.ccache)
		setenv("CCACHE_BASEDIR", opts->paths->build, 0);
	log_debug("kbuild: source tree %s (patched copy of %s), ccache %s, -j%u",
		  tree.dir, pristine, r.ccache ? "on" : "not installed", r.jobs);
	r.tree = &tree;
	r.src = tree.dir;
	/* One after the other, each with every CPU: as fast as in parallel,
	 * and each log reads in order. */
	ret = 0;
	for (i = 0; i < count && ret == 0; i++)
		ret = build_one(r, &kernels[i]);
out:
	kpatch_tree_free(&tree);
	free(pristine);
	close(lock);
	return ret;
}

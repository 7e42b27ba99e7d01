/* duplex build: the replica kernels, then one initramfs per partition. */
#include "cmd.h"
#include "build/build.h"
#include "base/base.h"

#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one duplex build makes: the kernels, and initramfs images for
 * partitions 0 to PARTITIONS-1. */
struct build_plan {
	struct kbuild_kernel kernel[DUPLEX_MAX_REPLICAS * 4];
	char flavour[DUPLEX_MAX_REPLICAS * 4][DUPLEX_FLAVOUR_MAX];
	unsigned count;
	unsigned partitions;
};

static void build_usage(FILE *out)
{
	fputs("usage: duplex build [--profile NAME | --all] [-j N] [-q]\n\n"
	      "Build replica1 and replica2, and every other replica or variant the\n"
	      "profile uses, out of tree into build/replicaR[-VARIANT], from $KSRC\n"
	      "or Debian's linux-source-6.1 with kernel/patches applied to a private\n"
	      "copy, then the initramfs of every partition.  Only what changed is\n"
	      "rebuilt; a kernel none of whose inputs changed (its stamp,\n"
	      "build/replicaR/.duplex-build-stamp) runs no make at all.  Make's\n"
	      "output: build/logs/replicaR[-VARIANT].log.  While a kernel builds,\n"
	      "its progress: objects compiled of those its last build here had,\n"
	      "elapsed and time left; one line rewritten on a terminal, else a\n"
	      "line every 30 s or 10 %.\n\n"
	      "  --profile NAME   machine profile vm/NAME.profile (default: default)\n"
	      "  --all            what every profile in vm/ needs\n"
	      "  -j N             parallel make jobs (default: online CPUs)\n"
	      "  -q, --quiet      no progress, only each kernel's last line\n",
	      out);
}

/* Replica REPLICA in VARIANT of the kernel flavour FLAVOUR (a profile's;
 * "" for $DUPLEX_FLAVOUR or kernel/). */
static int plan_add(struct build_plan *plan, const char *flavour,
		    unsigned replica, const char *variant)
{
	unsigned i;

	for (i = 0; i < plan->count; i++)
		if (plan->kernel[i].replica == replica &&
		    !strcmp(plan->kernel[i].variant, variant) &&
		    !strcmp(plan->flavour[i], flavour))
			return 0;
	if (plan->count == ARRAY_SIZE(plan->kernel)) {
		log_error("build: more than %zu different kernels asked for",
			  ARRAY_SIZE(plan->kernel));
		return -1;
	}
	snprintf(plan->flavour[plan->count], sizeof(plan->flavour[0]), "%s",
		 flavour);
	plan->kernel[plan->count].replica = replica;
	snprintf(plan->kernel[plan->count].variant,
		 sizeof(plan->kernel[0].variant), "%s", variant);
	plan->count++;
	return 0;
}

static int plan_profile(struct build_plan *plan,
			const struct machine_profile *p)
{
	unsigned k;

	for (k = 0; k < p->partitions; k++)
		if (plan_add(plan, p->flavour, p->replica[k], p->variant) < 0)
			return -1;
	if (p->partitions > plan->partitions)
		plan->partitions = p->partitions;
	return 0;
}

static int plan_every_profile(const struct duplex_paths *paths,
			      struct build_plan *plan)
{
	char *pattern = xasprintf("%s/vm/*.profile", paths->root);
	struct machine_profile p;
	glob_t g;
	size_t i;
	int ret = 0;

	if (glob(pattern, 0, NULL, &g) != 0) {
		log_error("build --all: no machine profile matches '%s'", pattern);
		free(pattern);
		return -1;
	}
	for (i = 0; i < g.gl_pathc && ret == 0; i++)
		ret = profile_load_named(paths, g.gl_pathv[i], &p) < 0 ||
		      plan_profile(plan, &p) < 0 ? -1 : 0;
	globfree(&g);
	free(pattern);
	return ret;
}

/* The plan's kernels, a kernel flavour at a time, in the order they
 * first appear. */
static int build_kernels(const struct kbuild_options *opts,
			 const struct build_plan *plan)
{
	struct kbuild_kernel same[ARRAY_SIZE(plan->kernel)];
	struct kbuild_options fo = *opts;
	struct duplex_paths fp;
	bool done[ARRAY_SIZE(plan->kernel)] = { false };
	unsigned i, j, n;

	fo.paths = &fp;
	for (i = 0; i < plan->count; i++) {
		if (done[i])
			continue;
		for (j = i, n = 0; j < plan->count; j++) {
			if (done[j] || strcmp(plan->flavour[j], plan->flavour[i]))
				continue;
			same[n++] = plan->kernel[j];
			done[j] = true;
		}
		if (paths_flavour(opts->paths, plan->flavour[i], &fp) < 0 ||
		    kbuild_build(&fo, same, n) < 0)
			return -1;
	}
	return 0;
}

static int parse_build_options(int argc, char **argv,
			       struct kbuild_options *opts,
			       const char **profile, bool *all)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long jobs;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			*profile = optarg;
			break;
		case 'a':
			*all = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'j':
			if (parse_uint(optarg, 1, 256, &jobs) < 0) {
				log_error("build: -j wants a number of jobs from 1 to 256, not '%s'", optarg);
				return -1;
			}
			opts->jobs = (unsigned)jobs;
			break;
		case 'h':
			build_usage(stdout);
			return 1;
		default:
			build_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_error("build: unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (*all && *profile) {
		log_error("build: --all already covers every profile; drop --profile %s",
			  *profile);
		return -1;
	}
	return 0;
}

int cmd_build(int argc, char **argv, const struct duplex_paths *paths)
{
	struct kbuild_options opts = { .paths = paths };
	struct build_plan plan = { .partitions = 0 };
	struct machine_profile profile;
	const char *profile_name = NULL;
	bool all = false;
	unsigned k;
	int ret;

	ret = parse_build_options(argc, argv, &opts, &profile_name, &all);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	/* The plain replicas 1 and 2 always: every tool's default. */
	plan_add(&plan, "", 1, "");
	plan_add(&plan, "", 2, "");
	if (all)
		ret = plan_every_profile(paths, &plan);
	else
		ret = profile_load_named(paths, profile_name ? profile_name : "default",
					 &profile) < 0 ||
		      plan_profile(&plan, &profile) < 0 ? -1 : 0;
	if (ret < 0 || build_kernels(&opts, &plan) < 0)
		return EXIT_ERROR;
	for (k = 0; k < plan.partitions; k++)
		if (rdbuild_partition(paths, k) < 0)
			return EXIT_ERROR;
	return EXIT_OK;
}

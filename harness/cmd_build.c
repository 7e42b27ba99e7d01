/* duplex build: both replica kernels, then one initramfs per partition. */
#include "cli.h"
#include "kbuild.h"
#include "log.h"
#include "rdbuild.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>

static void build_usage(FILE *out)
{
	fputs("usage: duplex build [--profile NAME] [-j N]\n\n"
	      "Build replica1 and replica2 (and any other replica the profile uses)\n"
	      "out of tree into build/replicaR, from $KSRC or Debian's\n"
	      "linux-source-6.1, then the initramfs of every partition.  Only what\n"
	      "changed is rebuilt.  Make's output: build/logs/replicaR.log.\n\n"
	      "  --profile NAME   machine profile vm/NAME.profile (default: default)\n"
	      "  -j N             parallel make jobs (default: online CPUs)\n",
	      out);
}

/* Replicas 1 and 2 always; the profile may name more. */
static unsigned replicas_to_build(const struct machine_profile *p,
				  unsigned *list)
{
	bool want[DUPLEX_MAX_REPLICAS + 1] = { false, true, true };
	unsigned k, r, n = 0;

	for (k = 0; k < p->partitions; k++)
		want[p->replica[k]] = true;
	for (r = 1; r <= DUPLEX_MAX_REPLICAS; r++)
		if (want[r])
			list[n++] = r;
	return n;
}

int cmd_build(int argc, char **argv, const struct duplex_paths *paths)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct kbuild_options opts = { .paths = paths };
	unsigned replicas[DUPLEX_MAX_REPLICAS], n, k;
	struct machine_profile profile;
	const char *profile_name = "default";
	unsigned long jobs;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile_name = optarg;
			break;
		case 'j':
			if (parse_uint(optarg, 1, 256, &jobs) < 0) {
				log_error("build: -j wants a number of jobs from 1 to 256, not '%s'", optarg);
				return EXIT_ERROR;
			}
			opts.jobs = (unsigned)jobs;
			break;
		case 'h':
			build_usage(stdout);
			return EXIT_OK;
		default:
			build_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (cli_load_profile(paths, profile_name, &profile) < 0)
		return EXIT_ERROR;
	n = replicas_to_build(&profile, replicas);
	if (kbuild_build(&opts, replicas, n) < 0)
		return EXIT_ERROR;
	for (k = 0; k < profile.partitions; k++)
		if (rdbuild_partition(paths, k) < 0)
			return EXIT_ERROR;
	return EXIT_OK;
}

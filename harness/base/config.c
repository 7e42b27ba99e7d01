#define _GNU_SOURCE
#include "config.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void profile_defaults(struct machine_profile *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "default");
	p->partitions = 2;
	p->vcpus = 1;
	p->memory_mib = 512;
	p->accel = ACCEL_AUTO;
	p->boot_timeout_s = 300;
	/* Far more than any scenario of the repository prints (a TCG serial
	 * port carries about 3 MB a minute). */
	p->transcript_limit_kib = 64 * 1024;
	p->subnet = 0x0a010200;		/* 10.1.2.0/24, as in the reference */
	p->subnet_prefix = 24;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int set_uint(const char *origin, unsigned line, const char *key,
		    const char *value, unsigned long min, unsigned long max,
		    unsigned *out)
{
	unsigned long v;

	if (parse_uint(value, min, max, &v) < 0) {
		log_error("%s:%u: '%s' must be a whole number from %lu to %lu, not '%s'",
			  origin, line, key, min, max, value);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int set_cmdline(const char *origin, unsigned line, const char *value,
		       char *out)
{
	const char *c;

	if (strlen(value) >= DUPLEX_CMDLINE_MAX) {
		log_error("%s:%u: 'cmdline' is longer than %d bytes", origin,
			  line, DUPLEX_CMDLINE_MAX - 1);
		return -1;
	}
	for (c = value; *c; c++) {
		if (!isprint((unsigned char)*c)) {
			log_error("%s:%u: 'cmdline' holds a non-printable byte 0x%02x",
				  origin, line, (unsigned char)*c);
			return -1;
		}
	}
	strcpy(out, value);
	return 0;
}

static int set_accel(const char *origin, unsigned line, const char *value,
		     enum accel_mode *out)
{
	if (!strcmp(value, "auto"))
		*out = ACCEL_AUTO;
	else if (!strcmp(value, "kvm"))
		*out = ACCEL_KVM;
	else if (!strcmp(value, "tcg"))
		*out = ACCEL_TCG;
	else {
		log_error("%s:%u: 'accel' must be auto, kvm or tcg, not '%s'",
			  origin, line, value);
		return -1;
	}
	return 0;
}

/* A name that is also part of a file name: "name", "variant". */
static int set_name(const char *origin, unsigned line, const char *key,
		    const char *value, char *out, size_t size)
{
	const char *c;

	if (!*value || strlen(value) >= size) {
		log_error("%s:%u: '%s' must be 1 to %zu characters", origin,
			  line, key, size - 1);
		return -1;
	}
	for (c = value; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') {
			log_error("%s:%u: '%s' may hold only letters, digits, '-' and '_', not '%c'",
				  origin, line, key, *c);
			return -1;
		}
	}
	strcpy(out, value);
	return 0;
}

/* RFC 1918: the link must never look like a route to somewhere real. */
static bool is_private(uint32_t net, unsigned prefix)
{
	return (prefix >= 8 && (net >> 24) == 10) ||
	       (prefix >= 12 && (net >> 20) == 0xac1) ||
	       (prefix >= 16 && (net >> 16) == 0xc0a8);
}

/* "A.B.C.D/N": a private IPv4 network, N from 24 to 30, no host bits. */
static int set_subnet(const char *origin, unsigned line, const char *value,
		      struct machine_profile *p)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(value, '/');
	unsigned long prefix;
	struct in_addr in;
	uint32_t net;

	/* No leading 0: parse_uint would read "030" as octal. */
	if (!slash || (size_t)(slash - value) >= sizeof(addr) ||
	    slash[1] == '0' || parse_uint(slash + 1, 24, 30, &prefix) < 0)
		goto bad;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - value), value);
	if (inet_pton(AF_INET, addr, &in) != 1)
		goto bad;
	net = ntohl(in.s_addr);
	if (!is_private(net, (unsigned)prefix))
		goto bad;
	if (net & ((1u << (32 - prefix)) - 1)) {
		log_error("%s:%u: 'subnet' %s has host bits set: write the network address (%s with its last bits zero)",
			  origin, line, value, addr);
		return -1;
	}
	p->subnet = net;
	p->subnet_prefix = (unsigned)prefix;
	return 0;
bad:
	log_error("%s:%u: 'subnet' must be a private IPv4 network A.B.C.D/N (in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) with N from 24 to 30, not '%s'",
		  origin, line, value);
	return -1;
}

static int profile_set(struct machine_profile *p, const char *origin,
		       unsigned line, const char *key, const char *value)
{
	unsigned long k;

	if (!strcmp(key, "name"))
		return set_name(origin, line, key, value, p->name,
				sizeof(p->name));
	if (!strcmp(key, "variant"))
		return set_name(origin, line, key, value, p->variant,
				sizeof(p->variant));
	if (!strcmp(key, "flavour"))
		return set_name(origin, line, key, value, p->flavour,
				sizeof(p->flavour));
	if (!strcmp(key, "partitions"))
		return set_uint(origin, line, key, value, 1,
				DUPLEX_MAX_PARTITIONS, &p->partitions);
	if (!strcmp(key, "vcpus"))
		return set_uint(origin, line, key, value, 1, 64, &p->vcpus);
	if (!strcmp(key, "memory_mib"))
		return set_uint(origin, line, key, value, 64, 65536,
				&p->memory_mib);
	if (!strcmp(key, "boot_timeout_s"))
		return set_uint(origin, line, key, value, 1, 3600,
				&p->boot_timeout_s);
	if (!strcmp(key, "transcript_limit_kib"))
		return set_uint(origin, line, key, value, 1, 4u << 20,
				&p->transcript_limit_kib);
	if (!strcmp(key, "accel"))
		return set_accel(origin, line, value, &p->accel);
	if (!strcmp(key, "cmdline"))
		return set_cmdline(origin, line, value, p->cmdline);
	if (!strcmp(key, "subnet"))
		return set_subnet(origin, line, value, p);
	if (!strncmp(key, "replica.", 8)) {
		if (parse_uint(key + 8, 0, DUPLEX_MAX_PARTITIONS - 1, &k) < 0) {
			log_error("%s:%u: '%s': the partition after 'replica.' must be 0 to %d",
				  origin, line, key, DUPLEX_MAX_PARTITIONS - 1);
			return -1;
		}
		return set_uint(origin, line, key, value, 1, DUPLEX_MAX_REPLICAS,
				&p->replica[k]);
	}
	log_error("%s:%u: unknown key '%s' (known: name, variant, flavour, partitions, vcpus, memory_mib, accel, cmdline, subnet, boot_timeout_s, transcript_limit_kib, replica.K)",
		  origin, line, key);
	return -1;
}

static int profile_parse_line(struct machine_profile *p, const char *origin,
			      unsigned line, char *text)
{
	char *hash, *eq, *key, *value;

	hash = strchr(text, '#');
	if (hash)
		*hash = '\0';
	text = trim(text);
	if (!*text)
		return 0;
	eq = strchr(text, '=');
	if (!eq) {
		log_error("%s:%u: expected 'key = value', got '%s'", origin,
			  line, text);
		return -1;
	}
	*eq = '\0';
	key = trim(text);
	value = trim(eq + 1);
	return profile_set(p, origin, line, key, value);
}

static int profile_check(const struct machine_profile *p, const char *origin)
{
	/* Host numbers 1..partitions; the last one is the broadcast. */
	unsigned room = (1u << (32 - p->subnet_prefix)) - 2;
	unsigned k;

	if (p->partitions > room) {
		log_error("%s: 'subnet' /%u has room for %u partitions, the profile has %u: use a shorter prefix (/24 holds 254)",
			  origin, p->subnet_prefix, room, p->partitions);
		return -1;
	}

	for (k = 0; k < p->partitions; k++) {
		if (!p->replica[k]) {
			log_error("%s: partition %u has no replica: add 'replica.%u = 1' (or another replica number)",
				  origin, k, k);
			return -1;
		}
	}
	for (; k < DUPLEX_MAX_PARTITIONS; k++) {
		if (p->replica[k]) {
			log_error("%s: 'replica.%u' is set but the profile has only %u partitions",
				  origin, k, p->partitions);
			return -1;
		}
	}
	return 0;
}

int profile_parse(const char *text, const char *origin, struct machine_profile *p)
{
	char *copy = xstrdup(text), *cursor = copy, *nl;
	unsigned line = 0;
	int ret = 0;

	profile_defaults(p);
	memset(p->replica, 0, sizeof(p->replica));
	while (cursor && ret == 0) {
		nl = strchr(cursor, '\n');
		if (nl)
			*nl = '\0';
		ret = profile_parse_line(p, origin, ++line, cursor);
		cursor = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (ret == 0)
		ret = profile_check(p, origin);
	return ret;
}

void profile_partition_addr(const struct machine_profile *p, unsigned k,
			    char *buf, size_t size)
{
	uint32_t a = p->subnet + k + 1;

	snprintf(buf, size, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff, p->subnet_prefix);
}

int profile_load(const char *path, struct machine_profile *p)
{
	char *text = read_file(path, NULL);
	int ret;

	if (!text)
		return -1;
	ret = profile_parse(text, path, p);
	free(text);
	return ret;
}

int profile_load_named(const struct duplex_paths *paths, const char *name,
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

static int set_path(char *dst, const char *value, const char *what)
{
	if (strlen(value) >= PATH_MAX) {
		log_error("%s path is too long: '%.64s...'", what, value);
		return -1;
	}
	strcpy(dst, value);
	return 0;
}

static int find_root(char *root, const char *argv0)
{
	const char *env = getenv("DUPLEX_ROOT");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return realpath(env, root) ? 0 : (log_error("DUPLEX_ROOT '%s': %m", env), -1);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 && !realpath(argv0, exe)) {
		log_error("cannot tell where duplex lives; set DUPLEX_ROOT to the checkout");
		return -1;
	}
	if (n >= 0)
		exe[n] = '\0';
	/* build/duplex or build/<variant>/duplex: climb until vm/ appears. */
	while ((slash = strrchr(exe, '/')) && slash != exe) {
		*slash = '\0';
		char *probe = xasprintf("%s/vm/default.profile", exe);
		bool found = path_exists(probe);

		free(probe);
		if (found)
			return set_path(root, exe, "checkout");
	}
	log_error("cannot find the duplex checkout above '%s'; set DUPLEX_ROOT", argv0);
	return -1;
}

static int env_path(char *dst, const char *var, const char *fallback)
{
	const char *env = getenv(var);

	if (env && *env) {
		if (env[0] != '/') {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd))) {
				log_error("getcwd: %m");
				return -1;
			}
			char *abs = xasprintf("%s/%s", cwd, env);
			int ret = set_path(dst, abs, var);

			free(abs);
			return ret;
		}
		return set_path(dst, env, var);
	}
	return set_path(dst, fallback, var);
}

int paths_init(struct duplex_paths *paths, const char *argv0)
{
	char *build, *results;
	int ret;

	memset(paths, 0, sizeof(*paths));
	if (find_root(paths->root, argv0) < 0)
		return -1;
	build = xasprintf("%s/build", paths->root);
	results = xasprintf("%s/results", paths->root);
	ret = env_path(paths->build, "DUPLEX_BUILD", build) ||
	      env_path(paths->results, "DUPLEX_RESULTS", results) ||
	      env_path(paths->run, "DUPLEX_RUN", "/run/duplex") ||
	      env_path(paths->ksrc, "KSRC", "");
	if (!ret && (size_t)snprintf(paths->kernel, sizeof(paths->kernel),
				     "%s/kernel", paths->root) >= sizeof(paths->kernel)) {
		log_error("checkout path too long: '%.64s...'", paths->root);
		ret = -1;
	}
	free(build);
	free(results);
	return ret ? -1 : 0;
}

const char *paths_shown(const struct duplex_paths *paths, const char *path)
{
	size_t n = strlen(paths->root);

	if (strncmp(path, paths->root, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* FLAVOUR's folder into OUT, its name into OUT->flavour. */
static int resolve_flavour(const char *flavour, struct duplex_paths *out)
{
	const char *name = strrchr(flavour, '/');
	char *dir;
	int ret;

	name = name ? name + 1 : flavour;
	if (!*name || strlen(name) >= sizeof(out->flavour) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(name)) {
		log_error("kernel flavour '%s': its name (the folder's) must be 1 to %zu letters, digits, '-' or '_'",
			  flavour, sizeof(out->flavour) - 1);
		return -1;
	}
	if (strchr(flavour, '/')) {
		if (!realpath(flavour, out->kernel)) {
			log_error("kernel flavour '%s': %m (DUPLEX_FLAVOUR names a folder shaped like kernel/)",
				  flavour);
			return -1;
		}
	} else if (snprintf(out->kernel, sizeof(out->kernel),
			    "%s/kernel/flavours/%s", out->root, flavour) >=
		   (int)sizeof(out->kernel)) {
		log_error("kernel flavour '%s': path too long", flavour);
		return -1;
	}
	strcpy(out->flavour, name);
	dir = xasprintf("%s/common.config", out->kernel);
	ret = path_exists(dir) ? 0 : -1;
	if (ret < 0)
		log_error("kernel flavour '%s': no '%s' (a flavour is a folder shaped like kernel/: common.config, replicaR.config for each replica, optionally patches/; docs/kernel-flavours.md)",
			  flavour, paths_shown(out, dir));
	free(dir);
	return ret;
}

int paths_flavour(const struct duplex_paths *in, const char *flavour,
		  struct duplex_paths *out)
{
	const char *env = getenv("DUPLEX_FLAVOUR");

	*out = *in;
	if (!*flavour && env)
		flavour = env;
	if (!*flavour || !strcmp(flavour, "default"))
		return 0;
	return resolve_flavour(flavour, out);
}

char *paths_kernel_name(const struct duplex_paths *paths, unsigned replica,
			const char *variant)
{
	return xasprintf("%s%sreplica%u%s%s", paths->flavour,
			 *paths->flavour ? "-" : "", replica,
			 *variant ? "-" : "", variant);
}

char *paths_kernel_objdir(const struct duplex_paths *paths, unsigned replica,
			  const char *variant)
{
	char *name = paths_kernel_name(paths, replica, variant);
	char *dir = xasprintf("%s/%s", paths->build, name);

	free(name);
	return dir;
}

char *paths_kernel_image(const struct duplex_paths *paths, unsigned replica,
			 const char *variant)
{
	char *dir = paths_kernel_objdir(paths, replica, variant);
	char *image = xasprintf("%s/arch/x86/boot/bzImage", dir);

	free(dir);
	return image;
}

char *paths_initramfs(const struct duplex_paths *paths, unsigned partition)
{
	return xasprintf("%s/initramfs/partition%u.cpio", paths->build,
			 partition);
}

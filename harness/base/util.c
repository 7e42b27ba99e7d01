#define _GNU_SOURCE
#include "util.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(void)
{
	fputs("duplex: error: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

char *read_file(const char *path, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open '%s': %m", path);
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		if (used + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("cannot read '%s': %m", path);
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	/* A unique temporary name: two runs may write the same file at once. */
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd, ret = -1;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot create '%s': %m", tmp);
		goto out;
	}
	if (write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		log_error("cannot write '%s': %m", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		log_error("cannot rename '%s' to '%s': %m", tmp, path);
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

int copy_file(const char *src, const char *dst, mode_t mode)
{
	size_t len;
	char *data = read_file(src, &len);
	int ret;

	if (!data)
		return -1;
	ret = write_file_atomic(dst, data, len, mode);
	free(data);
	return ret;
}

int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			log_error("cannot create directory '%s': %m", p);
			ret = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return ret;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT) {
		log_error("cannot remove '%s': %m", path);
		return -1;
	}
	return 0;
}

int remove_tree(const char *path)
{
	if (!path_exists(path))
		return 0;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

long long fs_free_bytes(const char *path)
{
	struct statvfs st;

	if (statvfs(path, &st) < 0)
		return -1;
	return (long long)st.f_bavail * (long long)st.f_frsize;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void make_run_id(char prefix, char *id, size_t size)
{
	unsigned short r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned short)(now_ms() ^ getpid());
	snprintf(id, size, "%c%ld-%04x", prefix, (long)getpid(), r);
}

bool run_id_valid(const char *s, char prefix)
{
	size_t digits;

	if (*s++ != prefix)
		return false;
	digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 7 || *s == '0')
		return false;
	s += digits;
	if (*s++ != '-')
		return false;
	return strspn(s, "0123456789abcdef") == 4 && s[4] == '\0';
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			log_error("waitpid: %m");
			return -1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static pid_t spawn(const char *const argv[], const char *dir, int out_fd,
		   int err_fd)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("cannot fork to run '%s': %m", argv[0]);
		return -1;
	}
	if (pid > 0)
		return pid;
	if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	if (err_fd >= 0)
		dup2(err_fd, STDERR_FILENO);
	if (dir && chdir(dir) < 0) {
		fprintf(stderr, "duplex: error: cannot enter '%s': %m\n", dir);
		_exit(127);
	}
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "duplex: error: cannot run '%s': %m\n", argv[0]);
	_exit(127);
}

int run_command(const char *const argv[], const char *dir, int log_fd)
{
	pid_t pid = spawn(argv, dir, log_fd, log_fd);

	return pid < 0 ? -1 : wait_status(pid);
}

/* A child's output cut into lines for a line_watcher. */
struct line_cutter {
	char line[4096];
	size_t len;
};

static void cut_lines(struct line_cutter *c, const char *data, size_t n,
		      line_watcher on_line, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] != '\n') {
			if (c->len < sizeof(c->line) - 1)
				c->line[c->len++] = data[i];
			continue;
		}
		c->line[c->len] = '\0';
		on_line(c->line, ctx);
		c->len = 0;
	}
}

int run_watched(const char *const argv[], const char *dir, int log_fd,
		line_watcher on_line, void *ctx)
{
	struct line_cutter cut = { .len = 0 };
	struct pollfd pfd = { .events = POLLIN };
	char chunk[4096];
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_error("pipe: %m");
		return -1;
	}
	pid = spawn(argv, dir, fds[1], fds[1]);
	close(fds[1]);
	pfd.fd = fds[0];
	while (pid > 0) {
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0) {
			on_line(NULL, ctx);
			continue;
		}
		n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* A log that cannot be written (a full disk) loses the rest,
		 * as it would with the child writing there itself. */
		if (log_fd >= 0 && write_all(log_fd, chunk, (size_t)n) < 0)
			log_fd = -1;
		cut_lines(&cut, chunk, (size_t)n, on_line, ctx);
	}
	close(fds[0]);
	return pid < 0 ? -1 : wait_status(pid);
}

int run_capture(const char *const argv[], int log_fd, char **out)
{
	size_t cap = 1024, used = 0;
	int fds[2], status;
	char *buf;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_error("pipe: %m");
		return -1;
	}
	pid = spawn(argv, NULL, fds[1], log_fd);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(fds[0], buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	close(fds[0]);
	buf[used] = '\0';
	status = wait_status(pid);
	if (status < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return status;
}

bool proc_comm(long pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL;
	bool found = false;

	if (!path)
		return false;
	dirs = xstrdup(path);
	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *file = xasprintf("%s/%s", *dir ? dir : ".", prog);

		found = access(file, X_OK) == 0;
		free(file);
	}
	free(dirs);
	return found;
}

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *s = data;

	while (len--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* util: small helpers shared by every module (memory, files, time,
 * child processes).  Functions that can fail report the error themselves
 * (log_error) and return -1 or NULL. */
#ifndef DUPLEX_UTIL_H
#define DUPLEX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on out-of-memory: a harness without memory
 * cannot clean up anything anyway. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whole-file I/O.  read_file NUL-terminates; *len (if non-NULL) excludes
 * the NUL.  write_file_atomic writes a unique PATH.XXXXXX, then renames
 * it over PATH, so a reader never sees half a file. */
char *read_file(const char *path, size_t *len);
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
int copy_file(const char *src, const char *dst, mode_t mode);
/* write(2) until all LEN bytes are written; -1 with errno (not reported). */
int write_all(int fd, const void *data, size_t len);
int mkdir_p(const char *path, mode_t mode);
/* rm -rf PATH; a missing PATH is not an error. */
int remove_tree(const char *path);
bool path_exists(const char *path);
/* Bytes free for this user on the file system of PATH; -1 if unknown. */
long long fs_free_bytes(const char *path);
bool is_dir(const char *path);

/* A run's id, PREFIX, our pid and 4 random hex digits ("r1234-0a9f"):
 * unique among the runs alive at once, and recognisable by `duplex
 * clean` from its form alone. */
void make_run_id(char prefix, char *id, size_t size);
/* Is S exactly a run id make_run_id(PREFIX) makes?  Strict, because
 * `duplex clean` deletes what it accepts. */
bool run_id_valid(const char *s, char prefix);

/* FNV-1a of LEN bytes at DATA, continuing from H (FNV1A_START for a new
 * hash): for stamps and line matching, not a security measure. */
#define FNV1A_START 0xcbf29ce484222325ULL
uint64_t fnv1a(uint64_t h, const void *data, size_t len);

/* Monotonic clock in milliseconds. */
int64_t now_ms(void);

/* Run ARGV (argv[0] looked up in PATH) in directory DIR (NULL: here) with
 * stdout and stderr appended to LOG_FD (-1: inherited).  Returns the exit
 * status (0..255), 128+signal if killed, -1 if it could not be started. */
int run_command(const char *const argv[], const char *dir, int log_fd);

/* Same, with the output going to LOG_FD through a pipe that ON_LINE reads
 * as it comes: each line (without its newline; one longer than 4 KiB is
 * cut), and NULL after every second without output, so that the caller's
 * clock keeps going (a progress meter).  LOG_FD gets every byte. */
typedef void (*line_watcher)(const char *line, void *ctx);
int run_watched(const char *const argv[], const char *dir, int log_fd,
		line_watcher on_line, void *ctx);

/* Same, but capture stdout into a NUL-terminated string (stderr to the
 * log fd).  Returns the exit status; *out is always set on status >= 0. */
int run_capture(const char *const argv[], int log_fd, char **out);

/* Whether PROG is an executable in a directory of $PATH. */
bool in_path(const char *prog);

/* The command name of process PID (/proc/PID/comm without its newline)
 * into BUF.  False if there is no such process. */
bool proc_comm(long pid, char *buf, size_t size);

/* strtoul with the whole string required to be a number in [min, max]. */
int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out);

#endif

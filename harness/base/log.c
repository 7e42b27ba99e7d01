#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static FILE *log_file;
static int log_quiet;

static void __attribute__((format(printf, 2, 0)))
log_to_file(const char *level, const char *fmt, va_list ap)
{
	struct timespec ts;

	if (!log_file)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(log_file, "%lld.%03ld %s: ", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, level);
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static void __attribute__((format(printf, 4, 0)))
log_emit(FILE *out, const char *prefix, const char *level, const char *fmt,
	 va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	log_to_file(level, fmt, copy);
	va_end(copy);
	if (!out)
		return;
	fputs(prefix, out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(stderr, "duplex: error: ", "error", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(stderr, "duplex: warning: ", "warn", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(log_quiet ? NULL : stdout, "", "info", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(NULL, "", "debug", fmt, ap);
	va_end(ap);
}

int log_open(const char *path)
{
	/* "e": close-on-exec, so that no child (QEMU helpers, make)
	 * keeps the log open or writes into it. */
	FILE *f = fopen(path, "ae");

	if (!f) {
		log_error("cannot open harness log '%s': %m", path);
		return -1;
	}
	log_close();
	log_file = f;
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

/* log: the harness's messages.  An error is reported once, where it is
 * found, with the object and value involved; callers only return -1. */
#ifndef DUPLEX_LOG_H
#define DUPLEX_LOG_H

#include <stdarg.h>

/* Errors and warnings go to stderr and to the harness log, if open. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress for the person at the terminal (stdout) and the harness log. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Harness log only, with a timestamp: what happened, for later reading. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append every message from now on to PATH too.  0 or -1. */
int log_open(const char *path);
void log_close(void);
/* Silence log_info on stdout (tests); errors are always printed. */
void log_set_quiet(int quiet);

#endif

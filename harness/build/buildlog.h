/* buildlog: showing why a build step failed from its log file, so nobody
 * has to open the log to read the compiler's message. */
#ifndef DUPLEX_BUILDLOG_H
#define DUPLEX_BUILDLOG_H

#include <sys/types.h>

/* On stderr: the first line of LOG_PATH's output since offset SINCE that
 * reads like an error (with a few lines around it) unless it is among the
 * last lines, then the last lines.  SHOWN_PATH names the log. */
void buildlog_show_excerpt(const char *log_path, const char *shown_path,
			   off_t since);

#endif

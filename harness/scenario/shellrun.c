#include "shellrun.h"
#include "rep_lines.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPD_PREFIX "rep: "

char *shellrun_typed(const char *cmd, unsigned id)
{
	return xasprintf("echo duplex-''begin-%u; { %s\n}; echo duplex-''end-%u-$?\n",
			 id, cmd, id);
}

void shellrun_begin_re(unsigned id, char *buf, size_t size)
{
	snprintf(buf, size, "^duplex-begin-%u$", id);
}

void shellrun_end_re(unsigned id, char *buf, size_t size)
{
	snprintf(buf, size, "^duplex-end-%u-[0-9]+$", id);
}

int shellrun_status(const char *text, size_t len)
{
	size_t i = len;
	int status = 0, scale = 1;

	while (i > 0 && (text[i - 1] == '\r' || text[i - 1] == '\n'))
		i--;
	if (i == 0 || text[i - 1] < '0' || text[i - 1] > '9')
		return -1;
	while (i > 0 && text[i - 1] >= '0' && text[i - 1] <= '9' &&
	       scale <= 100) {
		status += (text[i - 1] - '0') * scale;
		scale *= 10;
		i--;
	}
	return status <= 255 ? status : -1;
}

/* Move the lines of TEXT that start with PREFIX to REPORTS (both the
 * same size, NUL-terminated), in place. */
static void take_lines(char *text, const char *prefix, char *reports)
{
	char *in = text, *out = text, *rep = reports;
	size_t plen = strlen(prefix);

	while (*in) {
		char *nl = strchr(in, '\n');
		size_t n = nl ? (size_t)(nl - in) + 1 : strlen(in);

		if (!strncmp(in, prefix, plen)) {
			memcpy(rep, in, n);
			rep += n;
		} else {
			memmove(out, in, n);
			out += n;
		}
		in += n;
	}
	*out = '\0';
	*rep = '\0';
}

char *shellrun_output(const char *buf, size_t begin_end, size_t end_start,
		      char **reports)
{
	size_t len = end_start > begin_end ? end_start - begin_end : 0;
	char *text = xmalloc(len + 2), *rep = xmalloc(len + 2);
	size_t n = rep_lines_text(buf + begin_end, len, text);

	/* The begin marker's match ends before its line end. */
	if (n && text[0] == '\n')
		memmove(text, text + 1, n--);
	take_lines(text, REPD_PREFIX, rep);
	if (reports)
		*reports = rep;
	else
		free(rep);
	return text;
}

char *shellrun_late_reports(const char *text, size_t len)
{
	char *norm = xmalloc(len + 2), *rep = xmalloc(len + 2);

	rep_lines_text(text, len, norm);
	take_lines(norm, REPD_PREFIX, rep);
	free(norm);
	return rep;
}

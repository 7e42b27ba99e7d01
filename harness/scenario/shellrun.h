/* shellrun: one command run in a shell on a console, delimited so that
 * its output and exit status can be read back from the console's text.
 *
 * The typed text wraps the command in a brace group between two marker
 * commands:
 *     echo duplex-''begin-ID; { CMD
 *     }; echo duplex-''end-ID-$?
 * The shell reads all of it before running any of it, so the echo of the
 * typed lines (and continuation prompts) comes before the begin marker,
 * and the output between the marker lines is the command's alone.  The
 * quotes keep the markers out of the echo: only the shell's output holds
 * "duplex-begin-ID" whole.  Lines typed later (a `read`'s input) go to
 * the command, as they would for a person. */
#ifndef DUPLEX_SHELLRUN_H
#define DUPLEX_SHELLRUN_H

#include <stddef.h>

/* The text to type for CMD, run ID; malloc'd, ends with "\n". */
char *shellrun_typed(const char *cmd, unsigned id);

/* Regexes (for matcher_find) of the begin and end marker lines of run ID
 * (the status in the end marker is read with shellrun_status). */
void shellrun_begin_re(unsigned id, char *buf, size_t size);
void shellrun_end_re(unsigned id, char *buf, size_t size);

/* The exit status in the end marker line at TEXT (as matched); -1 if it
 * holds none. */
int shellrun_status(const char *text, size_t len);

/* Console output from BEGIN_END (just after the begin marker's match) to
 * END_START (the start of the end marker line), normalised as repd
 * compares lines (rep_lines_text), with the lines repd itself printed on
 * the console ("rep: ...") taken out and, if REPORTS is not NULL, returned
 * there (malloc'd, "" for none).  malloc'd. */
char *shellrun_output(const char *buf, size_t begin_end, size_t end_start,
		      char **reports);
/* The lines repd printed ("rep: ...") in the LEN bytes at TEXT, the
 * console's text after a run's end marker: reports that came late.
 * malloc'd ("" for none). */
char *shellrun_late_reports(const char *text, size_t len);

#endif

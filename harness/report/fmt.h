/* fmt: what the result writers share (private to report/): console
 * text made fit for each file format, seconds and verdicts as words. */
#ifndef DUPLEX_REPORT_FMT_H
#define DUPLEX_REPORT_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "report.h"

/* Console text made fit for a file that people and parsers read.  Bytes
 * that are not UTF-8 become U+FFFD; control characters (but tab and
 * newline) their visible Unicode "control pictures" (ESC: U+241B), so an
 * escape sequence shows instead of acting or breaking XML; a CR before a
 * LF is dropped, as XML parsers would fold it anyway. */
void fmt_text(struct strbuf *sb, const char *s, size_t n);
/* The same, with & < > " ' as entities: XML and HTML text; ATTR also
 * keeps newlines and tabs, which attribute values would lose. */
void fmt_xml(struct strbuf *sb, const char *s, size_t n, bool attr);
/* fmt_xml of a string; NULL adds nothing. */
void fmt_xmls(struct strbuf *sb, const char *s, bool attr);
/* S as a JSON string with its quotes, NULL as null. */
void fmt_json(struct strbuf *sb, const char *s);

/* Seconds as "%.3f"; NaN and infinity, which JSON lacks, as 0. */
void fmt_seconds(struct strbuf *sb, double s);

/* "pass", "fail", "skip". */
const char *fmt_verdict(enum verdict v);

#endif

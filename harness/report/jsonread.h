/* jsonread: JSON text read back into a tree (private to report/), for
 * the summary.json of a run being merged (shardread.c).  Whole numbers,
 * strings without NUL, nesting at most JSON_MAX_DEPTH deep: what
 * json.c writes, and anything else that is valid JSON of that kind. */
#ifndef DUPLEX_REPORT_JSONREAD_H
#define DUPLEX_REPORT_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean;
	double number;
	char *string;		/* UTF-8, NUL-terminated */
	struct json *items;	/* an array's elements, an object's values */
	char **keys;		/* an object's keys, in the text's order */
	size_t n;
};

/* Parse the LEN bytes of TEXT into *J.  -1 if it is not JSON: ERR then
 * says where and why ("line 3, column 7: expected ',' or '}'"), and *J
 * is empty. */
int json_parse(const char *text, size_t len, struct json *j, char *err,
	       size_t errsize);
void json_free(struct json *j);

/* Member KEY of object J, if J is an object that has it and it is of
 * TYPE; else NULL. */
const struct json *json_get(const struct json *j, const char *key,
			    enum json_type type);

#endif

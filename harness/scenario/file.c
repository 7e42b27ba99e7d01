/* file: loading scenario files.  The file's top level runs, one
 * command at a time, in a bare Tcl interpreter where `scenario` records
 * its arguments: each call is then known to come from one top-level
 * command, whose line lint found; an error, from the command of
 * the file it happened in (where). */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tcl.h>
#include <unistd.h>

#include "base/base.h"
#include "file.h"
#include "lint.h"
#include "where.h"

#define DEFAULT_TIMEOUT_S	600
#define DEFAULT_IDLE_S		120
#define MAX_SECONDS		86400
#define SLUG_MAX		48

struct loader {
	struct lint_file f;		/* the file being loaded */
	const struct lint_cmd *cur;	/* its top-level command running */
	bool cur_defined;		/* cur has called `scenario` */
	struct where where;		/* where cur's error happened */
	size_t nfile;			/* scenarios of the file so far */
	struct scenario_def *defs;
	size_t n, cap;
	unsigned nerrors;
};

enum scenario_option {
	OPT_TIMEOUT, OPT_IDLE, OPT_PARTITIONS, OPT_PROFILE, OPT_TAGS, OPT_SKIP,
};

static const char *const option_names[] = {
	[OPT_TIMEOUT] = "-timeout",	[OPT_IDLE] = "-idle",
	[OPT_PARTITIONS] = "-partitions", [OPT_PROFILE] = "-profile",
	[OPT_TAGS] = "-tags",		[OPT_SKIP] = "-skip",
};

/* One scenario command being read: where its errors are said to be. */
struct def_reader {
	struct loader *ld;
	struct scenario_def *d;
	Tcl_Obj *const *objv;
	int objc;
	int errors;
};

static void def_free(struct scenario_def *d)
{
	size_t i;

	free(d->name);
	free(d->file);
	free(d->body);
	free(d->profile);
	for (i = 0; i < d->ntags; i++)
		free(d->tags[i]);
	free(d->tags);
	free(d->skip);
}

/* The line of word I of the scenario command: exact unless {*} made
 * the words Tcl passes differ from those written. */
static unsigned word_line(const struct def_reader *r, int i)
{
	const struct lint_cmd *c = r->ld->cur;

	return c->nwords == r->objc ? c->word_line[i] : c->line;
}

static void def_error(struct def_reader *r, int word, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void def_error(struct def_reader *r, int word, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s:%u: scenario '%s': %s", r->ld->f.path, word_line(r, word),
		  r->d->name, msg);
	r->errors++;
}

static const char *arg(const struct def_reader *r, int i)
{
	return Tcl_GetString(r->objv[i]);
}

static void read_seconds(struct def_reader *r, int i, unsigned *out)
{
	unsigned long v;

	if (parse_uint(arg(r, i + 1), 1, MAX_SECONDS, &v) < 0)
		def_error(r, i + 1, "%s '%s' is not a whole number of seconds from 1 to %d; give one",
			  arg(r, i), arg(r, i + 1), MAX_SECONDS);
	else
		*out = (unsigned)v;
}

static void read_tags(struct def_reader *r, int i)
{
	Tcl_Obj **elems;
	const char *t;
	int n, k;

	if (Tcl_ListObjGetElements(NULL, r->objv[i + 1], &n, &elems) != TCL_OK) {
		def_error(r, i + 1, "-tags '%s' is not a Tcl list; write them as -tags {net smoke}",
			  arg(r, i + 1));
		return;
	}
	r->d->tags = xcalloc((size_t)n + 1, sizeof(*r->d->tags));
	for (k = 0; k < n; k++) {
		t = Tcl_GetString(elems[k]);
		if (!*t || t[strcspn(t, ", \t\r\n")])
			def_error(r, i + 1, "tag '%s' is empty or holds a ',' or a space; write tags as a Tcl list of words: -tags {net smoke}",
				  t);
		else
			r->d->tags[r->d->ntags++] = xstrdup(t);
	}
}

static void read_option(struct def_reader *r, int i, enum scenario_option o)
{
	struct scenario_def *d = r->d;
	unsigned long v;

	switch (o) {
	case OPT_TIMEOUT:
		read_seconds(r, i, &d->timeout_s);
		break;
	case OPT_IDLE:
		read_seconds(r, i, &d->idle_s);
		break;
	case OPT_PARTITIONS:
		if (parse_uint(arg(r, i + 1), 1, DUPLEX_MAX_PARTITIONS, &v) < 0)
			def_error(r, i + 1, "-partitions '%s' is not a whole number from 1 to %d; give the partitions the scenario needs",
				  arg(r, i + 1), DUPLEX_MAX_PARTITIONS);
		else
			d->partitions = (unsigned)v;
		break;
	case OPT_PROFILE:
		if (!*arg(r, i + 1)) {
			def_error(r, i + 1, "-profile is empty; name a machine profile (vm/NAME.profile)");
		} else {
			free(d->profile);
			d->profile = xstrdup(arg(r, i + 1));
		}
		break;
	case OPT_TAGS:
		read_tags(r, i);
		break;
	case OPT_SKIP:
		if (!*arg(r, i + 1))
			def_error(r, i + 1, "-skip is empty; say why the scenario is skipped");
		else
			d->skip = xstrdup(arg(r, i + 1));
		break;
	}
}

/* The first words of S: a body put where an option belongs would fill
 * the screen. */
static const char *first_words(const char *s, char *buf, size_t size)
{
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strcspn(s, "\n");
	if (n < size && !s[n])
		return s;
	snprintf(buf, size, "%.*s...", (int)(n < size - 4 ? n : size - 4), s);
	return buf;
}

static void read_options(struct def_reader *r)
{
	unsigned seen = 0;
	char buf[40];
	size_t o;
	int i;

	for (i = 2; i < r->objc - 1; i += 2) {
		for (o = 0; o < ARRAY_SIZE(option_names); o++)
			if (!strcmp(arg(r, i), option_names[o]))
				break;
		if (o == ARRAY_SIZE(option_names)) {
			def_error(r, i, "unknown option '%s'; the options are -timeout, -idle, -partitions, -profile, -tags and -skip, between the name and the body",
				  first_words(arg(r, i), buf, sizeof(buf)));
		} else if (i + 1 == r->objc - 1) {
			def_error(r, i, "option %s has no value, or the scenario has no body; write: scenario NAME %s VALUE {BODY}",
				  option_names[o], option_names[o]);
		} else if (seen & (1u << o)) {
			def_error(r, i, "option %s is given twice; keep one", option_names[o]);
		} else {
			seen |= 1u << o;
			read_option(r, i, (enum scenario_option)o);
		}
	}
}

/* What a slug keeps of a name: ASCII letters and digits, whatever the
 * locale says of other bytes. */
static bool slug_char(char c)
{
	return (unsigned char)c < 128 && isalnum((unsigned char)c);
}

static bool has_slug_char(const char *s)
{
	for (; *s; s++)
		if (slug_char(*s))
			return true;
	return false;
}

/* Read one `scenario NAME ?-option value ...? BODY`; report its errors. */
static void define(struct loader *ld, int objc, Tcl_Obj *const objv[])
{
	struct scenario_def d = { 0 };
	struct def_reader r = { ld, &d, objv, objc, 0 };
	char buf[40];

	if (objc < 3) {
		log_error("%s:%u: scenario needs a name and a body; write: scenario NAME ?-option value ...? {BODY}",
			  ld->f.path, ld->cur->line);
		ld->nerrors++;
		return;
	}
	d.name = xstrdup(Tcl_GetString(objv[1]));
	d.file = xstrdup(ld->f.path);
	d.line = ld->cur->line;
	d.body = xstrdup(Tcl_GetString(objv[objc - 1]));
	d.body_line = ld->cur->body_line;
	d.timeout_s = DEFAULT_TIMEOUT_S;
	d.idle_s = DEFAULT_IDLE_S;
	d.profile = xstrdup("default");
	d.index = ld->nfile;
	if (d.name[0] == '-')
		def_error(&r, 1, "the name looks like an option; the name comes first: scenario NAME ?-option value ...? {BODY}");
	else if (!has_slug_char(d.name))
		def_error(&r, 1, "the name '%s' has no letter or digit; give it a name that says what it checks",
			  first_words(d.name, buf, sizeof(buf)));
	read_options(&r);
	if (r.errors) {
		ld->nerrors += (unsigned)r.errors;
		def_free(&d);
		return;
	}
	if (ld->n == ld->cap) {
		ld->cap = ld->cap ? 2 * ld->cap : 16;
		ld->defs = xrealloc(ld->defs, ld->cap * sizeof(*ld->defs));
	}
	ld->defs[ld->n++] = d;
	ld->nfile++;
}

/* Errors a loading command raises that already say what to do. */
static int load_error(Tcl_Interp *ip, Tcl_Obj *msg)
{
	Tcl_SetObjResult(ip, msg);
	Tcl_SetErrorCode(ip, "DUPLEX", "LOAD", NULL);
	return TCL_ERROR;
}

static int scenario_cmd(ClientData cd, Tcl_Interp *ip, int objc,
			Tcl_Obj *const objv[])
{
	struct loader *ld = cd;

	if (!ld->cur->is_scenario || ld->cur_defined)
		return load_error(ip, Tcl_NewStringObj(
			"scenario is called from a proc, a loop or a substitution here; make it a command of the file's top level",
			-1));
	ld->cur_defined = true;
	define(ld, objc, objv);
	return TCL_OK;
}

/* Commands that exist only while a scenario runs: Expect's and duplex's. */
static bool runtime_command(const char *name)
{
	static const char *const names[] = {
		"expect", "expect_after", "expect_before", "expect_background",
		"expect_user", "expect_tty", "send", "send_user", "send_error",
		"send_log", "send_tty", "spawn", "interact", "log_user",
		"log_file", "match_max",
	};
	size_t i;

	if (!strncmp(name, "::", 2))
		name += 2;
	if (!strncmp(name, "exp_", 4) || !strncmp(name, "duplex::", 8))
		return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Tcl calls `unknown NAME ARGS...` for a command it does not have. */
static int unknown_cmd(ClientData cd, Tcl_Interp *ip, int objc,
		       Tcl_Obj *const objv[])
{
	const char *name = objc > 1 ? Tcl_GetString(objv[1]) : "";

	(void)cd;
	if (runtime_command(name))
		return load_error(ip, Tcl_ObjPrintf(
			"'%s' runs only inside a scenario's body, not when the file is loaded; move it into the body",
			name));
	return load_error(ip, Tcl_ObjPrintf(
		"invalid command name \"%s\"; define it with proc above this line, or call it inside a scenario's body",
		name));
}

/* Tcl's exit would end duplex itself, in the middle of --list. */
static int exit_cmd(ClientData cd, Tcl_Interp *ip, int objc,
		    Tcl_Obj *const objv[])
{
	(void)cd;
	(void)objc;
	(void)objv;
	return load_error(ip, Tcl_NewStringObj(
		"'exit' at the top level would end duplex while it loads the file; remove it (a scenario's body ends early with return)",
		-1));
}

static unsigned locate(void *arg, const struct where_frame *fr)
{
	const struct loader *ld = arg;

	return lint_locate(&ld->f, ld->cur, fr);
}

/* The error is on the line of the innermost command of the file it
 * ended, in the top-level command or in a proc it called; failing that
 * (a variable that does not exist), on the line Tcl counted in the
 * top-level command. */
static void toplevel_error(struct loader *ld, Tcl_Interp *ip)
{
	const char *code = Tcl_GetVar2(ip, "errorCode", NULL, TCL_GLOBAL_ONLY);
	unsigned line = where_line(&ld->where, ld->cur->line);
	char calls[256];

	where_calls(&ld->where, calls, sizeof(calls));
	if (code && !strncmp(code, "DUPLEX LOAD", 11))
		log_error("%s:%u: %s%s", ld->f.path, line,
			  Tcl_GetStringResult(ip), calls);
	else
		log_error("%s:%u: %s%s; this runs when the file is loaded, outside any scenario: fix it, or move it into a scenario's body",
			  ld->f.path, line, Tcl_GetStringResult(ip), calls);
	ld->nerrors++;
}

/* Run the file's top level, as `source` would, but a command at a time.
 * The first error stops it, as it would stop the file at run time. */
static void run_toplevel(struct loader *ld, Tcl_Interp *ip)
{
	size_t i;

	Tcl_CreateObjCommand(ip, "scenario", scenario_cmd, ld, NULL);
	Tcl_CreateObjCommand(ip, "unknown", unknown_cmd, NULL, NULL);
	Tcl_CreateObjCommand(ip, "exit", exit_cmd, NULL, NULL);
	for (i = 0; i < ld->f.ncmds; i++) {
		ld->cur = &ld->f.cmds[i];
		ld->cur_defined = false;
		if (where_eval(&ld->where, Tcl_NewStringObj(ld->cur->start,
							    ld->cur->size)) != TCL_OK) {
			toplevel_error(ld, ip);
			return;
		}
	}
}

/* `info script` is what Tcl_EvalFile would make it, for files that find
 * their helpers next to themselves. */
static void set_script(Tcl_Interp *ip, const char *path)
{
	Tcl_Obj *cmd = Tcl_NewListObj(0, NULL);

	Tcl_IncrRefCount(cmd);
	Tcl_ListObjAppendElement(NULL, cmd, Tcl_NewStringObj("info", -1));
	Tcl_ListObjAppendElement(NULL, cmd, Tcl_NewStringObj("script", -1));
	Tcl_ListObjAppendElement(NULL, cmd, Tcl_NewStringObj(path, -1));
	Tcl_EvalObjEx(ip, cmd, 0);
	Tcl_DecrRefCount(cmd);
}

static void load_file(struct loader *ld, const char *path)
{
	size_t len;
	char *text;

	if (access(path, R_OK) < 0) {
		log_error("%s: cannot read it: %m; make it readable, or leave it out",
			  path);
		ld->nerrors++;
		return;
	}
	text = read_file(path, &len);
	if (!text) {
		ld->nerrors++;
		return;
	}
	if (len > INT_MAX) {
		log_error("%s: %zu bytes is too large for a scenario file; split it",
			  path, len);
		ld->nerrors++;
		free(text);
		return;
	}
	memset(&ld->f, 0, sizeof(ld->f));
	ld->f.ip = Tcl_CreateInterp();
	ld->f.path = path;
	ld->f.text = text;
	ld->f.len = (int)len;
	ld->nfile = 0;
	if (where_init(&ld->where, ld->f.ip, locate, ld) < 0) {
		ld->nerrors++;
	} else if (lint_file(&ld->f) == 0) {
		set_script(ld->f.ip, path);
		run_toplevel(ld, ld->f.ip);
	}
	where_free(&ld->where);
	ld->nerrors += ld->f.nerrors;
	Tcl_DeleteInterp(ld->f.ip);
	lint_file_free(&ld->f);
	free(text);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_exp_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 4 && !strcmp(name + len - 4, ".exp");
}

/* DIR's *.exp files, sorted by name. */
static void load_dir(struct loader *ld, const char *dir)
{
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
	DIR *d = opendir(dir);
	char **names = NULL, *path;
	struct dirent *e;
	size_t n = 0, i;

	if (!d) {
		log_error("%s: cannot list the directory: %m; make it readable, or name the scenario files",
			  dir);
		ld->nerrors++;
		return;
	}
	while ((e = readdir(d))) {
		if (!is_exp_name(e->d_name))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (!n) {
		log_error("%s: no *.exp scenario files in this directory; add some, or name the files to load",
			  dir);
		ld->nerrors++;
		return;
	}
	qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s%s%s", dir, sep, names[i]);
		load_file(ld, path);
		free(path);
		free(names[i]);
	}
	free(names);
}

static void check_duplicates(struct loader *ld)
{
	const struct scenario_def *a, *b;
	size_t i, j;

	for (i = 1; i < ld->n; i++) {
		b = &ld->defs[i];
		for (j = 0; j < i; j++) {
			a = &ld->defs[j];
			if (strcmp(a->name, b->name))
				continue;
			log_error("%s:%u: scenario '%s' is defined twice, first at %s:%u; give each scenario its own name",
				  b->file, b->line, b->name, a->file, a->line);
			ld->nerrors++;
			break;
		}
	}
}

int scenario_set_load(struct scenario_set *set, const char *const *paths,
		      size_t npaths)
{
	static bool tcl_started;
	struct loader ld = { 0 };
	struct stat st;
	size_t i;

	if (!tcl_started) {
		Tcl_FindExecutable(NULL);
		tcl_started = true;
	}
	memset(set, 0, sizeof(*set));
	for (i = 0; i < npaths; i++) {
		if (stat(paths[i], &st) < 0) {
			log_error("%s: %m; name a scenario file (*.exp) or a directory of them",
				  paths[i]);
			ld.nerrors++;
		} else if (S_ISDIR(st.st_mode)) {
			load_dir(&ld, paths[i]);
		} else {
			load_file(&ld, paths[i]);
		}
	}
	check_duplicates(&ld);
	set->defs = ld.defs;
	set->n = ld.n;
	if (!ld.nerrors)
		return 0;
	scenario_set_free(set);
	return -1;
}

void scenario_set_free(struct scenario_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		def_free(&set->defs[i]);
	free(set->defs);
	set->defs = NULL;
	set->n = 0;
}

bool scenario_has_tag(const struct scenario_def *d, const char *tags)
{
	const char *p = tags, *end;
	size_t i, n;

	if (!tags || !*tags)
		return true;
	for (; *p; p = *end ? end + 1 : end) {
		p += strspn(p, " ");
		end = p + strcspn(p, ",");
		for (n = (size_t)(end - p); n && p[n - 1] == ' '; n--)
			;
		for (i = 0; i < d->ntags; i++)
			if (n && strlen(d->tags[i]) == n && !memcmp(d->tags[i], p, n))
				return true;
	}
	return false;
}

char *scenario_slug(const struct scenario_def *d)
{
	char *slug = xmalloc(strlen(d->name) + 1);
	const char *s;
	size_t n = 0;

	for (s = d->name; *s; s++) {
		if (slug_char(*s))
			slug[n++] = (char)tolower((unsigned char)*s);
		else if (n && slug[n - 1] != '-')
			slug[n++] = '-';
	}
	if (n > SLUG_MAX)
		n = SLUG_MAX;
	while (n && slug[n - 1] == '-')
		n--;
	slug[n] = '\0';
	return slug;
}

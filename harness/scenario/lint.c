/* lint: a scenario file's Tcl syntax, checked without running
 * anything.  A body is only evaluated when its scenario runs, minutes into
 * a run with the machine booted: a brace missing in it must be found when
 * the file is loaded, and named by the line to fix. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lint.h"

#define TAB_WIDTH 8

typedef void command_fn(struct lint_file *f, const Tcl_Parse *p, void *arg);

static void lint_script(struct lint_file *f, const char *p, const char *end,
			bool in_body);

unsigned lint_line(const struct lint_file *f, const char *p)
{
	unsigned line = 1;
	const char *q;

	for (q = f->text; q < p; q++)
		line += *q == '\n';
	return line;
}

static const char *line_start(const struct lint_file *f, const char *p)
{
	while (p > f->text && p[-1] != '\n')
		p--;
	return p;
}

static bool starts_line(const struct lint_file *f, const char *p)
{
	const char *q;

	for (q = line_start(f, p); q < p; q++)
		if (*q != ' ' && *q != '\t')
			return false;
	return true;
}

static unsigned indent(const struct lint_file *f, const char *p)
{
	const char *q;
	unsigned width = 0;

	for (q = line_start(f, p); *q == ' ' || *q == '\t'; q++)
		width = *q == '\t' ? (width / TAB_WIDTH + 1) * TAB_WIDTH : width + 1;
	return width;
}

/* Tcl pairs braces by count, so a '}' missing inside a block is made up
 * for by the block's own '}' and only the outermost '{' is left unclosed:
 * often a scenario's body, far above the mistake.  The indentation shows
 * where it is: the first '{' from OPEN on whose '}' starts a line indented
 * otherwise than the line of the '{'.  NULL if every pair agrees. */
static const char *misclosed_brace(const struct lint_file *f, const char *open,
				   const char *end, const char **close)
{
	const char **stack = NULL, *found = NULL, *p, *o;
	size_t depth = 0, cap = 0;

	for (p = open; p < end && !found; p++) {
		if (*p == '\\') {
			p++;
		} else if (*p == '{') {
			if (depth == cap) {
				cap = cap ? 2 * cap : 16;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[depth++] = p;
		} else if (*p == '}' && depth) {
			o = stack[--depth];
			if (starts_line(f, p) && indent(f, p) != indent(f, o)) {
				found = o;
				*close = p;
			}
		}
	}
	free(stack);
	return found;
}

static const char *const syntax_hints[] = {
	[TCL_PARSE_QUOTE_EXTRA] = "put a space after the closing '\"'",
	[TCL_PARSE_BRACE_EXTRA] = "put a space after the closing '}'",
	[TCL_PARSE_MISSING_BRACE] = "add the '}' that closes the '{' on this line",
	[TCL_PARSE_MISSING_BRACKET] = "add the ']' that closes the '[' on this line",
	[TCL_PARSE_MISSING_PAREN] = "add the ')' that closes the array index",
	[TCL_PARSE_MISSING_QUOTE] = "add the '\"' that closes the one on this line",
	[TCL_PARSE_MISSING_VAR_BRACE] = "add the '}' that ends the variable name",
};

/* Tcl_ParseCommand failed on a script ending at END: say where and why. */
static void syntax_error(struct lint_file *f, const Tcl_Parse *p,
			 const char *end)
{
	const char *what = Tcl_GetStringResult(f->ip), *hint = NULL;
	const char *at = NULL, *close = NULL;

	if (p->errorType >= 0 && (size_t)p->errorType < ARRAY_SIZE(syntax_hints))
		hint = syntax_hints[p->errorType];
	if (p->errorType == TCL_PARSE_MISSING_QUOTE)
		what = "missing close-quote";
	if (p->errorType == TCL_PARSE_MISSING_BRACE)
		at = misclosed_brace(f, p->term, end, &close);
	if (at)
		log_error("%s:%u: %s; %s (the '}' on line %u that pairs with it is indented for an outer block)",
			  f->path, lint_line(f, at), what, hint,
			  lint_line(f, close));
	else
		log_error("%s:%u: %s; %s", f->path, lint_line(f, p->term), what,
			  hint ? hint : "fix the Tcl syntax");
	f->nerrors++;
}

/* Call FN for each command of the script from P to END; stop at a
 * syntax error, after reporting it. */
static void each_command(struct lint_file *f, const char *p, const char *end,
			 command_fn *fn, void *arg)
{
	Tcl_Parse parse;

	while (p < end) {
		if (Tcl_ParseCommand(f->ip, p, (int)(end - p), 0, &parse) != TCL_OK) {
			syntax_error(f, &parse, end);
			return;
		}
		if (parse.numWords)
			fn(f, &parse, arg);
		p = parse.commandStart + parse.commandSize;
		Tcl_FreeParse(&parse);
	}
}

static const Tcl_Token **words_of(const Tcl_Parse *p)
{
	const Tcl_Token **w = xcalloc((size_t)p->numWords, sizeof(*w));
	const Tcl_Token *t = p->tokenPtr;
	int i;

	for (i = 0; i < p->numWords; i++) {
		w[i] = t;
		t += t->numComponents + 1;
	}
	return w;
}

static bool word_is(const Tcl_Token *w, const char *s)
{
	return w->type == TCL_TOKEN_SIMPLE_WORD &&
	       (size_t)w[1].size == strlen(s) && !memcmp(w[1].start, s, strlen(s));
}

/* The name W calls, without a leading "::"; "" unless it is a literal
 * short enough to be one this file knows. */
static void command_name(const Tcl_Token *w, char *buf, size_t size)
{
	const char *s = w[1].start;
	size_t n = (size_t)w[1].size;

	buf[0] = '\0';
	if (w->type != TCL_TOKEN_SIMPLE_WORD)
		return;
	if (n > 2 && !memcmp(s, "::", 2)) {
		s += 2;
		n -= 2;
	}
	if (n < size) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
}

/* Check word W as a script if Tcl passes it on as written: braced, or
 * without any substitution. */
static void lint_arg(struct lint_file *f, const Tcl_Token *w, bool in_body)
{
	const char *s = w->start, *end = w->start + w->size;
	bool braced = *s == '{' && w->type != TCL_TOKEN_EXPAND_WORD;

	if (w->type != TCL_TOKEN_SIMPLE_WORD && !braced)
		return;
	if (braced || *s == '"') {
		s++;
		end--;
	}
	lint_script(f, s, end, in_body);
}

static void lint_if(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	int i = 2;	/* past the condition */

	while (i < n) {
		if (word_is(w[i], "then"))
			i++;
		if (i < n)
			lint_arg(f, w[i], in_body);
		if (++i >= n)
			return;
		if (word_is(w[i], "elseif")) {
			i += 2;
			continue;
		}
		if (word_is(w[i], "else"))
			i++;
		if (i < n)
			lint_arg(f, w[i], in_body);
		return;
	}
}

static void lint_while(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n == 3)
		lint_arg(f, w[2], in_body);
}

static void lint_for(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n != 5)
		return;
	lint_arg(f, w[1], in_body);
	lint_arg(f, w[3], in_body);
	lint_arg(f, w[4], in_body);
}

static void lint_foreach(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n >= 4)
		lint_arg(f, w[n - 1], in_body);
}

static void lint_proc(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n == 4)
		lint_arg(f, w[3], in_body);
}

static void lint_first(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n >= 2)
		lint_arg(f, w[1], in_body);
}

/* eval and uplevel concatenate several words: only one is a script as
 * written (uplevel's after a level). */
static void lint_eval(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n == 2)
		lint_arg(f, w[1], in_body);
}

static bool is_level(const Tcl_Token *w)
{
	return w->type == TCL_TOKEN_SIMPLE_WORD && w[1].size &&
	       (*w[1].start == '#' || (*w[1].start >= '0' && *w[1].start <= '9'));
}

static void lint_uplevel(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	if (n == 2)
		lint_arg(f, w[1], in_body);
	else if (n == 3 && is_level(w[1]))
		lint_arg(f, w[2], in_body);
}

static void lint_try(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	int i;

	if (n < 2)
		return;
	lint_arg(f, w[1], in_body);
	for (i = 2; i < n; ) {
		if ((word_is(w[i], "on") || word_is(w[i], "trap")) && i + 3 < n) {
			lint_arg(f, w[i + 3], in_body);
			i += 4;
		} else if (word_is(w[i], "finally") && i + 1 < n) {
			lint_arg(f, w[i + 1], in_body);
			i += 2;
		} else {
			return;
		}
	}
}

/* expect's words: ?flags? pattern action ... */
enum expect_next {
	EXPECT_PATTERN, EXPECT_FLAG_VALUE, EXPECT_PATTERN_ONLY, EXPECT_ACTION,
};

struct expect_walk {
	enum expect_next next;
	bool in_body;
};

static void expect_word(struct lint_file *f, const Tcl_Token *w, struct expect_walk *e)
{
	switch (e->next) {
	case EXPECT_FLAG_VALUE:
		e->next = EXPECT_PATTERN;
		return;
	case EXPECT_ACTION:
		lint_arg(f, w, e->in_body);
		e->next = EXPECT_PATTERN;
		return;
	case EXPECT_PATTERN_ONLY:
		e->next = EXPECT_ACTION;
		return;
	case EXPECT_PATTERN:
		break;
	}
	if (word_is(w, "-i") || word_is(w, "-timeout"))
		e->next = EXPECT_FLAG_VALUE;
	else if (word_is(w, "-re") || word_is(w, "-gl") || word_is(w, "-ex") ||
		 word_is(w, "--"))
		e->next = EXPECT_PATTERN_ONLY;
	else if (!(w->type == TCL_TOKEN_SIMPLE_WORD && w[1].size && *w[1].start == '-'))
		e->next = EXPECT_ACTION;
}

static void expect_words(struct lint_file *f, const Tcl_Parse *p, void *arg)
{
	const Tcl_Token **w = words_of(p);
	int i;

	for (i = 0; i < p->numWords; i++)
		expect_word(f, w[i], arg);
	free(w);
}

/* Expect reads a sole argument that starts on a new line as a list of
 * pattern-action pairs, which it parses as Tcl commands would be. */
static bool pattern_list(const Tcl_Token *w)
{
	const char *s = w->start + 1, *end = w->start + w->size;

	if (*w->start != '{' || w->type == TCL_TOKEN_EXPAND_WORD)
		return false;
	for (; s < end && (*s == ' ' || *s == '\t' || *s == '\r'); s++)
		;
	return s < end && *s == '\n';
}

static void lint_expect(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	struct expect_walk e = { EXPECT_PATTERN, in_body };
	int i;

	if (n == 2 && pattern_list(w[1])) {
		each_command(f, w[1]->start + 1, w[1]->start + w[1]->size - 1,
			     expect_words, &e);
		return;
	}
	for (i = 1; i < n; i++)
		expect_word(f, w[i], &e);
}

static void lint_body(struct lint_file *f, const Tcl_Token **w, int n, bool in_body)
{
	(void)in_body;
	if (n >= 3)
		lint_arg(f, w[n - 1], true);
}

static const struct {
	const char *name;
	void (*check)(struct lint_file *f, const Tcl_Token **w, int n, bool in_body);
} script_commands[] = {
	{ "if", lint_if },		{ "while", lint_while },
	{ "for", lint_for },		{ "foreach", lint_foreach },
	{ "lmap", lint_foreach },	{ "proc", lint_proc },
	{ "catch", lint_first },	{ "try", lint_try },
	{ "eval", lint_eval },		{ "uplevel", lint_uplevel },
	{ "expect", lint_expect },	{ "expect_before", lint_expect },
	{ "expect_after", lint_expect },
	{ "expect_background", lint_expect },
	{ "exp_expect", lint_expect },	{ "scenario", lint_body },
};

static void check_words(struct lint_file *f, const Tcl_Parse *p,
			const Tcl_Token **w, bool in_body)
{
	const Tcl_Token *t;
	char name[32];
	size_t i;

	for (t = p->tokenPtr; t < p->tokenPtr + p->numTokens; t++)
		if (t->type == TCL_TOKEN_COMMAND)
			lint_script(f, t->start + 1, t->start + t->size - 1, in_body);
	command_name(w[0], name, sizeof(name));
	if (in_body && !strcmp(name, "scenario")) {
		log_error("%s:%u: a scenario inside another scenario's body is never defined; move it to the file's top level",
			  f->path, lint_line(f, p->commandStart));
		f->nerrors++;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(script_commands); i++)
		if (!strcmp(name, script_commands[i].name))
			script_commands[i].check(f, w, p->numWords, in_body);
}

static void lint_command(struct lint_file *f, const Tcl_Parse *p, void *arg)
{
	const Tcl_Token **w = words_of(p);

	check_words(f, p, w, *(bool *)arg);
	free(w);
}

static void lint_script(struct lint_file *f, const char *p, const char *end,
			bool in_body)
{
	each_command(f, p, end, lint_command, &in_body);
}

/* Where the body of `proc NAME ARGS BODY` is, for lint_locate. */
static void record_proc(struct lint_file *f, struct lint_cmd *c,
			const Tcl_Parse *p, const Tcl_Token **w)
{
	const char *name;

	if (p->numWords != 4 || w[1]->type != TCL_TOKEN_SIMPLE_WORD)
		return;
	name = w[1][1].start;
	c->proc = xasprintf("%s%.*s", strncmp(name, "::", 2) ? "::" : "",
			    w[1][1].size, name);
	c->body_line = lint_line(f, w[3]->start);
}

static void record(struct lint_file *f, const Tcl_Parse *p, const Tcl_Token **w)
{
	struct lint_cmd *c;
	char name[32];
	int i;

	if (f->ncmds == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->cmds = xrealloc(f->cmds, f->cap * sizeof(*f->cmds));
	}
	c = &f->cmds[f->ncmds++];
	memset(c, 0, sizeof(*c));
	c->start = p->commandStart;
	c->size = p->commandSize;
	c->line = lint_line(f, p->commandStart);
	command_name(w[0], name, sizeof(name));
	c->is_scenario = !strcmp(name, "scenario");
	if (!strcmp(name, "proc"))
		record_proc(f, c, p, w);
	if (!c->is_scenario)
		return;
	c->nwords = p->numWords;
	c->word_line = xcalloc((size_t)c->nwords, sizeof(*c->word_line));
	for (i = 0; i < c->nwords; i++)
		c->word_line[i] = lint_line(f, w[i]->start);
	/* The first character after the '{' is on the line of the '{'. */
	c->body_line = c->word_line[c->nwords - 1];
}

/* A '}' where a command starts: the block it ends was closed before. */
static bool stray_brace(struct lint_file *f, const Tcl_Parse *p)
{
	if (*p->commandStart != '}')
		return false;
	log_error("%s:%u: close-brace that closes nothing; remove it, or the '}' above it that ends its block too early",
		  f->path, lint_line(f, p->commandStart));
	f->nerrors++;
	return true;
}

static void lint_top(struct lint_file *f, const Tcl_Parse *p)
{
	const Tcl_Token **w = words_of(p);

	record(f, p, w);
	check_words(f, p, w, false);
	free(w);
}

int lint_file(struct lint_file *f)
{
	const char *p = f->text, *end = f->text + f->len;
	bool broken = false;
	Tcl_Parse parse;

	while (p < end) {
		if (Tcl_ParseCommand(f->ip, p, (int)(end - p), 0, &parse) != TCL_OK) {
			syntax_error(f, &parse, end);
			return -1;
		}
		if (parse.numWords && stray_brace(f, &parse))
			broken = true;
		else if (parse.numWords)
			lint_top(f, &parse);
		p = parse.commandStart + parse.commandSize;
		Tcl_FreeParse(&parse);
	}
	return broken ? -1 : 0;
}

void lint_file_free(struct lint_file *f)
{
	size_t i;

	for (i = 0; i < f->ncmds; i++) {
		free(f->cmds[i].word_line);
		free(f->cmds[i].proc);
	}
	free(f->cmds);
	f->cmds = NULL;
	f->ncmds = f->cap = 0;
}

/* Whether CMD's first line is written at P.  Where P continues on the
 * next line (backslash-newline), CMD has a space: as far as P goes. */
static bool written_at(const char *p, const char *cmd)
{
	const char *start = cmd;

	for (; *cmd && *cmd != '\n'; p++, cmd++) {
		if (*p == '\\' && p[1] == '\n')
			break;
		if (*p != *cmd)
			return false;
	}
	return cmd > start;
}

/* Whether command CMD starts on line LINE of F: Tcl's own count of lines
 * holds only for the text it was given. */
static bool written_on(const struct lint_file *f, unsigned line,
		       const char *cmd)
{
	const char *p = f->text;

	for (; line > 1 && *p; p++)
		line -= *p == '\n';
	for (; line == 1 && *p && *p != '\n'; p++)
		if (written_at(p, cmd))
			return true;
	return false;
}

static unsigned proc_body_line(const struct lint_file *f,
			       const struct lint_cmd *cur, const char *proc)
{
	const struct lint_cmd *c;
	unsigned line = 0;

	for (c = f->cmds; c <= cur; c++)
		if (c->proc && !strcmp(c->proc, proc))
			line = c->body_line;
	return line;
}

unsigned lint_locate(const struct lint_file *f, const struct lint_cmd *cur,
		     const struct where_frame *fr)
{
	unsigned from = 0, line;

	if (!strcmp(fr->type, "eval"))
		from = cur->line;
	else if (!strcmp(fr->type, "proc") && fr->proc)
		from = proc_body_line(f, cur, fr->proc);
	if (!from || fr->line < 1)
		return 0;
	line = from + (unsigned)fr->line - 1;
	return written_on(f, line, fr->cmd) ? line : 0;
}

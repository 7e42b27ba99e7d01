#define _GNU_SOURCE
#include "boot_tmux.h"
#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The environment that says where duplex's files are: a tmux server
 * already running gives new panes its own environment, not ours. */
static const char *const forwarded[] = {
	"DUPLEX_ROOT", "DUPLEX_BUILD", "DUPLEX_RESULTS", "DUPLEX_RUN",
	"DUPLEX_HISTORY", "KSRC",
};

#define ARGS_MAX 48

/* A command line being built, each argument malloc'd. */
struct args {
	char *v[ARGS_MAX + 1];
	int n;
};

static void __attribute__((format(printf, 2, 3)))
add(struct args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n == ARGS_MAX)
		abort();	/* a bug here, not an input */
	va_start(ap, fmt);
	if (vasprintf(&a->v[a->n], fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[++a->n] = NULL;
}

static void add_env(struct args *a)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (getenv(forwarded[i])) {
			add(a, "-e");
			add(a, "%s=%s", forwarded[i], getenv(forwarded[i]));
		}
}

static void args_free(struct args *a)
{
	while (a->n)
		free(a->v[--a->n]);
}

/* Run tmux with A, then free A: 0, or -1 (reported). *OUT (if not NULL)
 * gets its output's first line. */
static int tmux(struct args *a, char **out)
{
	char *text = NULL;
	int status;

	status = out ? run_capture((const char *const *)a->v, -1, &text)
		     : run_command((const char *const *)a->v, NULL, -1);
	if (status != 0)
		log_error("'tmux %s' failed (exit %d)", a->v[1], status);
	if (status == 0 && out) {
		text[strcspn(text, "\n")] = '\0';
		*out = text;
		text = NULL;
	}
	free(text);
	args_free(a);
	return status == 0 ? 0 : -1;
}

static void start(struct args *a, const char *cmd)
{
	add(a, "tmux");
	add(a, "%s", cmd);
}

/* S quoted for the shell tmux runs a pane's command with. */
static void quote(struct strbuf *sb, const char *s)
{
	strbuf_puts(sb, " '");
	for (; *s; s++)
		if (*s == '\'')
			strbuf_puts(sb, "'\\''");
		else
			strbuf_add(sb, s, 1);
	strbuf_puts(sb, "'");
}

/* "exec '/path/to/duplex'": the program that runs now. */
static void self(struct strbuf *sb)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	strbuf_puts(sb, "exec");
	quote(sb, n > 0 ? exe : "duplex");
}

static char *pane_command(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	self(&sb);
	strbuf_puts(&sb, " boot --tmux-pane");
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--tmux") && strcmp(argv[i], "--detach"))
			quote(&sb, argv[i]);
	return strbuf_detach(&sb);
}

/* This terminal's size, for a session made before a client attaches. */
static void term_size(unsigned *cols, unsigned *rows)
{
	struct winsize ws;

	*cols = 200;
	*rows = 50;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

int boot_tmux_launch(int argc, char **argv, bool detach,
		     const struct duplex_paths *paths)
{
	bool inside = getenv("TMUX") && !detach;
	char *cmd = pane_command(argc, argv), *session = NULL;
	struct args a = { 0 };
	unsigned cols, rows;
	int ret;

	if (!in_path("tmux")) {
		log_error("boot: --tmux needs tmux (apt-get install tmux)");
		free(cmd);
		return EXIT_ERROR;
	}
	start(&a, inside ? "new-window" : "new-session");
	if (!inside) {
		session = xasprintf("duplex-%d", (int)getpid());
		term_size(&cols, &rows);
		add(&a, "-d");
		add(&a, "-s");
		add(&a, "%s", session);
		add(&a, "-x");
		add(&a, "%u", cols);
		add(&a, "-y");
		add(&a, "%u", rows);
	}
	add(&a, "-n");
	add(&a, "duplex");
	add(&a, "-c");
	add(&a, "%s", paths->root);
	add_env(&a);
	add(&a, "%s", cmd);
	ret = tmux(&a, NULL) < 0 ? EXIT_ERROR : EXIT_OK;
	if (ret == EXIT_OK && detach)
		log_info("duplex boot: in tmux session %s (tmux attach -t %s)",
			 session, session);
	else if (ret == EXIT_OK && !inside) {
		fflush(NULL);
		execlp("tmux", "tmux", "attach-session", "-t", session, (char *)NULL);
		log_error("boot: cannot attach to tmux session %s: %m", session);
		ret = EXIT_ERROR;
	}
	free(session);
	free(cmd);
	return ret;
}

static void set_title(const char *pane, const char *title)
{
	struct args a = { 0 };

	start(&a, "select-pane");
	add(&a, "-t");
	add(&a, "%s", pane);
	add(&a, "-T");
	add(&a, "%s", title);
	tmux(&a, NULL);
}

static void set_window_option(const char *window, const char *name,
			      const char *value)
{
	struct args a = { 0 };

	start(&a, "set-option");
	add(&a, "-w");
	add(&a, "-t");
	add(&a, "%s", window);
	add(&a, "%s", name);
	add(&a, "%s", value);
	tmux(&a, NULL);
}

/* A new pane beside PANE running CMD (NULL: a shell), titled TITLE, the
 * window's panes tiled again; its id (malloc'd), or NULL (reported). */
static char *split(const char *pane, const char *root, const char *cmd,
		   const char *title)
{
	struct args a = { 0 };
	char *id = NULL;

	start(&a, "split-window");
	add(&a, "-d");
	add(&a, "-t");
	add(&a, "%s", pane);
	add(&a, "-c");
	add(&a, "%s", root);
	add_env(&a);
	add(&a, "-P");
	add(&a, "-F");
	add(&a, "#{pane_id}");
	if (cmd)
		add(&a, "%s", cmd);
	if (tmux(&a, &id) < 0)
		return NULL;
	set_title(id, title);
	/* Tiled after each split: a small window has room for every pane. */
	start(&a, "select-layout");
	add(&a, "-t");
	add(&a, "%s", pane);
	add(&a, "tiled");
	tmux(&a, NULL);
	return id;
}

static char *console_command(const char *run_id, unsigned k)
{
	struct strbuf sb = STRBUF_INIT;

	self(&sb);
	strbuf_printf(&sb, " console serial%u --run %s", k, run_id);
	return strbuf_detach(&sb);
}

char *boot_tmux_window(void)
{
	const char *pane = getenv("TMUX_PANE");
	struct args a = { 0 };
	char *window = NULL;

	if (!pane) {
		log_error("boot: --tmux-pane outside tmux ($TMUX_PANE unset): no consoles beside it; use --tmux");
		return NULL;
	}
	start(&a, "display-message");
	add(&a, "-p");
	add(&a, "-t");
	add(&a, "%s", pane);
	add(&a, "#{window_id}");
	tmux(&a, &window);
	return window;
}

void boot_tmux_layout(const struct duplex_paths *paths, const char *window,
		      const char *run_id, unsigned partitions)
{
	char *ids[DUPLEX_MAX_PARTITIONS + 1] = { 0 }, *cmd, title[24];
	const char *last = getenv("TMUX_PANE");
	struct args a = { 0 };
	unsigned k;

	set_window_option(window, "pane-border-status", "top");
	set_window_option(window, "pane-border-format", " #{pane_title} ");
	set_title(last, "duplex boot: Ctrl-C here ends the run");
	/* Each pane split from the last: they come in order, the shell last. */
	for (k = 0; k <= partitions && last; k++) {
		snprintf(title, sizeof(title), "serial%u", k);
		cmd = k < partitions ? console_command(run_id, k) : NULL;
		ids[k] = split(last, paths->root, cmd, cmd ? title : "shell");
		last = ids[k];
		free(cmd);
	}
	/* The person types on the primary's console first. */
	if (ids[0]) {
		start(&a, "select-pane");
		add(&a, "-t");
		add(&a, "%s", ids[0]);
		tmux(&a, NULL);
	}
	for (k = 0; k <= partitions; k++)
		free(ids[k]);
}

/* Until a line is typed or a signal comes. */
static void wait_enter(void)
{
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sigwatch_fd(), .events = POLLIN },
	};
	char buf[256];

	log_info("duplex boot: press Enter to close this window");
	while (!sigwatch_pending()) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return;
		/* A terminal in its usual mode gives a whole line. */
		if (fds[0].revents && read(STDIN_FILENO, buf, sizeof(buf)) != 0)
			return;
	}
}

void boot_tmux_close(char *window, bool failed)
{
	struct args a = { 0 };

	if (!window)
		return;
	if (failed && !sigwatch_pending())
		wait_enter();
	start(&a, "kill-window");
	add(&a, "-t");
	add(&a, "%s", window);
	tmux(&a, NULL);
	free(window);
}

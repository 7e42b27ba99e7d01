/* boot_tmux: `duplex boot --tmux` (private to cmd/; boot.c calls it): the
 * reference's four terminals in one tmux window.  The harness pane is
 * `duplex boot` itself; beside it one pane per console, each `duplex
 * console serialK --run ID`, and a shell on the host; tiled.  The
 * window goes when the harness ends, however it ends (Ctrl-C, its pane
 * closed: SIGHUP), after its teardown.  Only glue: tmux does the rest. */
#ifndef DUPLEX_CMD_BOOT_TMUX_H
#define DUPLEX_CMD_BOOT_TMUX_H

#include <stdbool.h>

#include "base/base.h"

/* The launcher's part: a new tmux window (inside tmux) or session (else,
 * attached to unless DETACH) whose first pane runs this duplex boot with
 * ARGV (without --tmux, --detach) and --tmux-pane.  The exit code. */
int boot_tmux_launch(int argc, char **argv, bool detach,
		     const struct duplex_paths *paths);

/* The harness pane's part: its window (malloc'd), for the two below;
 * NULL when there is none (reported). */
char *boot_tmux_window(void);

/* Run RUN_ID made: the panes of serial0 to serial(PARTITIONS-1) and the
 * shell, beside this one in WINDOW. */
void boot_tmux_layout(const struct duplex_paths *paths, const char *window,
		      const char *run_id, unsigned partitions);

/* The run is over (torn down): WINDOW (NULL: none) goes, with every pane
 * in it, and is freed.  After a failure the harness pane waits for Enter
 * first, so that its last lines can be read. */
void boot_tmux_close(char *window, bool failed);

#endif

/* scn_cmds: the duplex:: commands a scenario's body calls
 * (docs/scenarios.md): scn_cmds.c, and duplex::run in scn_cmds_run.c.
 * Private to scenario/. */
#ifndef DUPLEX_SCN_CMDS_H
#define DUPLEX_SCN_CMDS_H

#include <tcl.h>

#include "scn.h"

/* Add every duplex:: command to S->interp. */
void scn_cmds_register(struct scn *s);
/* duplex::run: one command on the replicated session or one console,
 * its output compared across consoles; one test case. */
int scn_cmds_run(ClientData cd, Tcl_Interp *ip, int objc,
		 Tcl_Obj *const objv[]);

/* duplex::mvx: one command under mvx on N partitions; its syscalls
 * compared, the divergences read from the window; one test case. */
int scn_cmds_mvx(ClientData cd, Tcl_Interp *ip, int objc,
		 Tcl_Obj *const objv[]);

/* Wait for run ID's markers on console K (TIMEOUT_S at most): its output
 * and status into *CC, the lines repd printed among them into *REPORTS,
 * where its end marker ends into *END.  TCL_OK, or TCL_ERROR with the
 * scenario failed. */
struct case_console;
int scn_cmds_read_back(struct scn *s, unsigned k, unsigned id, int timeout_s,
		       struct case_console *cc, char **reports, size_t *end);
/* Why OUTPUT fails -expect EXPECT (NULL: none, or it matches). */
char *scn_cmds_expect(Tcl_Interp *ip, Tcl_Obj *expect, const char *output);

#endif

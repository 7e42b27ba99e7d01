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

#endif

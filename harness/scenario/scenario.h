/* scenario: Tcl/Expect scenario files, found, checked and run, each on a
 * fresh machine with the duplex:: commands (docs/scenarios.md).  The
 * public header of scenario/: the rest of the harness includes this file
 * only.
 *
 *   file.h      finding the scenarios of files without running them
 *   run.h       running one scenario into its result
 *   shard.h     a suite split among machines (duplex test --shard)
 * Private: lint (a file's commands checked before anything runs), where
 * (the file's line of a Tcl error), scn (the scenario being run), scn_cmds
 * (the duplex:: commands), shellrun (a command typed in a shell and its
 * output taken apart).
 */
#ifndef DUPLEX_SCENARIO_H
#define DUPLEX_SCENARIO_H

#include "file.h"
#include "run.h"
#include "shard.h"

#endif

/* base: what every layer of the harness stands on, and nothing above it
 * (docs/architecture.md, "The harness's layers").  The public header of
 * base/: the rest of the harness includes this file only.
 *
 *   util.h      memory, files, time, child processes, run ids
 *   log.h       messages: an error is reported once, where it is found
 *   strbuf.h    a growing string
 *   xmlutil.h   XML escapes and @KEY@ templates (the domain XML, reports)
 *   sigwatch.h  SIGINT/SIGTERM/SIGHUP as an event the waits poll on
 *   runlock.h   whether a run is alive (the lock it holds for its life)
 *   config.h    machine profiles, the project's paths, the environment
 *   outcome.h   how a run of anything ended: passed, failed, not run
 *   progress.h  a long wait shown to a person: done of total, time left
 */
#ifndef DUPLEX_BASE_H
#define DUPLEX_BASE_H

#include "config.h"
#include "log.h"
#include "outcome.h"
#include "progress.h"
#include "runlock.h"
#include "sigwatch.h"
#include "strbuf.h"
#include "util.h"
#include "xmlutil.h"

#endif

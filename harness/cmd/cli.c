#include "cmd.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

int cli_exit_code(enum outcome o)
{
	switch (o) {
	case OUTCOME_PASSED:
		return EXIT_OK;
	case OUTCOME_FAILED:
		return EXIT_FAILED;
	case OUTCOME_NOT_RUN:
		break;
	}
	return EXIT_ERROR;
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

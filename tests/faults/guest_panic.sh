# Faults: a guest kernel panics in the middle of a command, on the
# primary (the command's own partition) and on the secondary (a
# replicated command).  The verdict comes from the kernel channel.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/lib.sh"

scenario_fault "guest panic on the primary mid-command" panic_primary.exp FAIL \
	'kernel panic on serial0: Kernel panic - not syncing'
scenario_fault "guest panic on the secondary mid-command" panic_secondary.exp FAIL \
	'kernel panic on serial1: Kernel panic - not syncing'
tap_done

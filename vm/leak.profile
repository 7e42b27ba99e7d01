# The leak test, replicas 1 and 2: the plain replica kernels with
# duplex_leak=1 on every partition's command line (the machine's own
# arguments reach the secondaries too), which turns on /proc/duplex_leak
# (a kernel address, kernel/patches).  Replicated, `cat /proc/duplex_leak`
# must diverge.
name = leak
partitions = 2
vcpus = 1
memory_mib = 512
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable duplex_leak=1
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 2
boot_timeout_s = 300

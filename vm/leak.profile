# The leak test, replicas 1 and 2: both kernels built with
# kernel/variant-leak-test.config (/proc/duplex_leak prints a kernel
# address).  Replicated, `cat /proc/duplex_leak` must diverge.
name = leak
variant = leak-test
partitions = 2
vcpus = 1
memory_mib = 512
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 2
boot_timeout_s = 300

# The leak test's control: two partitions of the SAME replica, with
# duplex_leak=1 as vm/leak.profile.  Their layouts overlap entirely (the
# layout check fails), and `cat /proc/duplex_leak` agrees on both: the
# divergence under vm/leak.profile comes from the layouts, not from noise.
name = leak-same
partitions = 2
vcpus = 1
memory_mib = 512
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable duplex_leak=1
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 1
boot_timeout_s = 300

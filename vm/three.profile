# A three-partition machine: the primary boots partitions 1 and 2 with
# `repboot 1` and `repboot 2`.  Replica 1 runs twice: partitions 0 and 2.
name = three
partitions = 3
vcpus = 1
memory_mib = 384
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 2
replica.2 = 1
boot_timeout_s = 300

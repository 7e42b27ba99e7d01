# Lockstep runs (mvx, docs/mvx.md): the default machine booted as the
# reference system boots its replicas, without the vDSO (time is read by
# a syscall, which mvx replicates from the leader) and without address
# space randomisation (pointers compare raw).
name = lockstep
partitions = 2
vcpus = 1
memory_mib = 512
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable vdso=0 norandmaps
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 2
boot_timeout_s = 300

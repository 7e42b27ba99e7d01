# duplex machine profile: the emulated replicated-kernel machine.
# One "key = value" a line; '#' starts a comment.  See docs/architecture.md.

name = default
# Partitions (libvirt domains).  Partition 0 is the primary.
partitions = 2
vcpus = 1
memory_mib = 512
# auto: KVM when a probe shows it really works, TCG otherwise.
accel = auto
# Kernel arguments for every partition.  duplex adds console=ttyS0,115200
# and duplex.partition=K itself; those cannot be overridden here.
cmdline = panic=-1 loglevel=6
# Which replica kernel each partition boots (build/replicaN).
replica.0 = 1
replica.1 = 2
# Deadline from power-on to the shell prompt of one partition (TCG is slow).
boot_timeout_s = 300

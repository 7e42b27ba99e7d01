# duplex machine profile: the emulated replicated-kernel machine.
# One "key = value" a line; '#' starts a comment.  See docs/architecture.md.

name = default
# Partitions (libvirt domains).  Partition 0 is the primary.
partitions = 2
vcpus = 1
memory_mib = 512
# auto: KVM when a probe shows it really works, TCG otherwise.
accel = auto
# Kernel arguments for every partition.  duplex adds console=ttyS0,115200,
# duplex.partition=K, duplex.replica=R and duplex.addr=A.B.C.D/N itself;
# those cannot be overridden here.  tsc=reliable: under TCG on a busy
# host the clocksource watchdog reads its reference late and prints a
# warning into whatever a console is printing (seen in 2 of 25 scenarios
# on a loaded host, in the middle of `seq` output).
cmdline = panic=-1 loglevel=6 tsc=reliable
# The link between the partitions (one bridge per run, no uplink): a
# private IPv4 network /24 to /30; partition K gets host number K+1
# (10.1.2.1 is the primary, 10.1.2.2 the first secondary).
subnet = 10.1.2.0/24
# Which replica kernel each partition boots (build/replicaN).
replica.0 = 1
replica.1 = 2
# A console's transcript keeps at most this much (KiB); past it, its first
# and last halves with a marker line saying how many bytes were left out,
# and the scenario fails saying so.
transcript_limit_kib = 65536
# Deadline from power-on to the shell prompt of one partition (TCG is slow).
boot_timeout_s = 300

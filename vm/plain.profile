# Kernel flavour "plain" (kernel/flavours/plain, docs/kernel-flavours.md):
# the two replicas without duplex's layout patch, only their text apart.
# They boot and replicate, and the layout check fails naming the direct
# map, vmalloc and vmemmap, which overlap (tests/e2e/flavour.sh).
name = plain
flavour = plain
partitions = 2
vcpus = 1
memory_mib = 512
accel = auto
cmdline = panic=-1 loglevel=6 tsc=reliable
subnet = 10.1.2.0/24
replica.0 = 1
replica.1 = 2
boot_timeout_s = 300

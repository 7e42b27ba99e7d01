# duplex — end-to-end test and emulation harness for replicated kernels.
# `make test-all` is the main job, `make check` the harness's own tests.
# Both install what the host lacks first (make deps).

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2
CPPFLAGS_DUPLEX := -I/usr/include/tcl8.6 -I/usr/include/libxml2 -Iharness -Icommon -Itests/lib -DDUPLEX_SOURCE_ROOT=\"$(CURDIR)\" -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -MMD -MP
LDLIBS  := -lvirt -lvirt-qemu -lxml2 -lexpect -ltcl8.6 -lsqlite3 -pthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B       := build
# V=1 shows the full commands.
Q       := $(if $(V),,@)
say      = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2))
# common/: code shared by the harness and the guest programs (window ABI).
HARNESS_SRCS := $(wildcard harness/*/*.c) $(wildcard common/*.c)
LIB_SRCS     := $(filter-out harness/cmd/main.c,$(HARNESS_SRCS))
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)
# Helpers the unit tests share (tests/lib/e2e.c is the end-to-end tests').
UNIT_LIB     := $(filter-out tests/lib/e2e.c,$(wildcard tests/lib/*.c))

OBJS      := $(HARNESS_SRCS:%.c=$(B)/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/obj/%.o)
SOBJS     := $(HARNESS_SRCS:%.c=$(B)/san/obj/%.o)
SLIB_OBJS := $(LIB_SRCS:%.c=$(B)/san/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
SUNIT_BINS:= $(UNIT_SRCS:tests/unit/%.c=$(B)/san/tests/%)
# Guest programs: one static musl binary per guest/*.c, with guest/lib/
# and common/ linked in; rdbuild packs build/guest/* into /usr/bin.
GUEST_LIB  := $(wildcard guest/lib/*.c) $(wildcard common/*.c)
GUEST_HDRS := $(wildcard guest/lib/*.h) $(wildcard common/*.h)
GUEST_BINS := $(patsubst guest/%.c,$(B)/guest/%,$(wildcard guest/*.c))
GUEST_CC   := musl-gcc
E2E_SRCS  := $(wildcard tests/e2e/*.c)
E2E_BINS  := $(E2E_SRCS:tests/e2e/%.c=$(B)/tests/e2e/%)
# Benchmark drivers (make bench; tests/run.sh never runs them).
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/tests/bench/%)

.SECONDARY:
.PHONY: all deps harness guest san unit build-kernels images check check-run \
	test-all test-all-run bench bench-run clean distclean help layers

all: harness

help:
	@echo "make deps      install missing host packages, start libvirtd if none runs"
	@echo "make           build the harness (build/duplex)"
	@echo "make images    build the kernels every vm/*.profile needs and the initramfs images"
	@echo "make check     unit + end-to-end tests of the harness (boots VMs)"
	@echo "make test-all  deps + build + every scenario in scenarios/ (the main job; JOBS=N)"
	@echo "make layers    check that harness/ includes go down its layers (part of make check)"
	@echo "make bench     build, boot, window, replication, scenario figures (medians; BENCH_ONLY=build|boot|window|rep|test)"
	@echo "make clean     remove build/duplex objects (keeps kernel builds)"
	@echo "make distclean remove build/ entirely"

deps:
	@bash scripts/setup.sh

harness: $(B)/duplex
san: $(B)/san/duplex $(SUNIT_BINS)

$(B)/duplex: $(OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/san/duplex: $(SOBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# How duplex builds a kernel is one of the kernel's inputs (kstamp.h): a
# change of that code makes the next `duplex build` run kbuild.
KBUILD_CODE := $(sort $(wildcard harness/build/k*.c harness/build/k*.h))
KSTAMP_OBJS := $(B)/obj/harness/build/kstamp.o $(B)/san/obj/harness/build/kstamp.o
$(KSTAMP_OBJS): $(KBUILD_CODE)
$(KSTAMP_OBJS): CPPFLAGS_DUPLEX += -DKSTAMP_CODE=\"$(firstword $(shell cat $(KBUILD_CODE) | cksum))\"

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS_DUPLEX) -c -o $@ $<

$(B)/san/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS_DUPLEX) -c -o $@ $<

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(UNIT_LIB:%.c=$(B)/obj/%.o) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(B)/san/tests/%: $(B)/san/obj/tests/unit/%.o $(UNIT_LIB:%.c=$(B)/san/obj/%.o) $(SLIB_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) -lcmocka

$(B)/tests/e2e/%: $(B)/obj/tests/e2e/%.o $(B)/obj/tests/lib/e2e.o $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/bench/%: $(B)/obj/tests/bench/%.o $(B)/obj/tests/lib/e2e.o $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# A program of several modules keeps them in guest/NAME/ (main in
# guest/NAME.c): every .c there is linked in, its headers found by
# -Iguest/NAME.  Second expansion, for the stem in the prerequisites.
GUEST_FLAGS := -static -Os $(WARN) -Icommon -Iguest/lib -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
.SECONDEXPANSION:
$(B)/guest/%: guest/%.c $$(wildcard guest/$$*/*.c guest/$$*/*.h) $(GUEST_LIB) $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(call say,MUSL,$@)
	$(Q)$(GUEST_CC) $(GUEST_FLAGS) $(addprefix -I,$(wildcard guest/$*)) -o $@ $(filter %.c,$^)

# rep-on (and repd-probe, its hostile twin for the tests) talk to repd:
# they include repd.h.
$(B)/guest/rep-on $(B)/guest/repd-probe: GUEST_FLAGS += -Iguest/repd
$(B)/guest/rep-on $(B)/guest/repd-probe: $(wildcard guest/repd/*.h)

guest: $(GUEST_BINS)

# libFuzzer targets for the code that reads hostile input (the window).
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_FLAGS := $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Icommon
$(B)/fuzz/%: tests/fuzz/%.c $(wildcard common/*.c common/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_FLAGS) $(filter %.c,$^) -o $@

# The host's handling of a whole window: winhost and the base under it.
FUZZ_WINHOST_SRCS := harness/machine/winhost.c harness/base/log.c harness/base/util.c
$(B)/fuzz/fuzz_winhost: tests/fuzz/fuzz_winhost.c $(FUZZ_WINHOST_SRCS) \
		$(wildcard common/*.c common/*.h harness/base/*.h harness/machine/*.h)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_FLAGS) -Iharness -I/usr/include/libxml2 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE $(filter %.c,$^) -o $@

# Kernels and initramfs images for every profile in vm/ (a profile's
# variant builds included): duplex decides what is stale itself.
images: $(B)/duplex $(GUEST_BINS)
	@$(B)/duplex build --all

# The harness's folders and the direction of their includes
# (harness/README.md).
layers:
	@bash scripts/layers.sh

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: harness san $(UNIT_BINS) $(E2E_BINS) $(FUZZ_BINS) images
	@bash tests/run.sh

test-all: deps
	@$(MAKE) --no-print-directory test-all-run

# Every scenario, each on a fresh machine (JOBS at once; default 1).
test-all-run: harness images
	@$(B)/duplex test -j $(or $(JOBS),1) scenarios/

bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: harness images $(BENCH_BINS) $(FUZZ_BINS)
	@bash scripts/bench.sh

clean:
	rm -rf $(B)/obj $(B)/san $(B)/tests $(B)/duplex

distclean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/san/obj -name '*.d' 2>/dev/null)

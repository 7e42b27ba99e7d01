/* Unit tests of what crosses the window about an mvx run: a divergence
 * record (mvx_div.h) — its exact bytes, its wording, every refusal of a
 * record a hostile kernel could publish — the run's OPEN and HELLO
 * (mvx_session.h), the slot fields (window_mvx_*), and the syscall name
 * table against the UAPI header of this machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "mvx_div.h"
#include "mvx_session.h"
#include "window.h"
#include "window_fixture.h"

/* A read whose out buffer differs at byte 1383: the report's example. */
static struct mvx_div a_read(void)
{
	struct mvx_div d = { .vid = 0, .seq = 3, .pid = 21154, .nr = 0,
			     .what = MVX_DIV_BUF, .arg = 1, .replica = 1,
			     .role = MVX_BUF_OUT, .nleader = 2, .nmine = 2,
			     .args = { 3, 0x420240, 0x10000 }, .offset = 1383,
			     .leader = 0x0030, .mine = 0x0031,
			     .len_leader = 1385, .len_mine = 1385 };
	return d;
}

static void test_div_bytes(void **state)
{
	struct mvx_div d = a_read(), back;
	unsigned char rec[MVX_DIV_SIZE], again[MVX_DIV_SIZE];

	(void)state;
	mvx_div_encode(&d, rec);
	assert_int_equal(get_le32(rec + 4), 3);
	assert_int_equal(get_le32(rec + 8), 21154);
	assert_int_equal(rec[14], MVX_DIV_BUF);
	assert_int_equal(rec[15], 1);
	assert_int_equal(get_le64(rec + 28), 0x420240);
	assert_int_equal(get_le64(rec + 68), 1383);
	assert_int_equal(get_le32(rec + 92), 1385);
	assert_int_equal(get_le32(rec + 100), 0);
	assert_int_equal(mvx_div_decode(rec, &back), 0);
	mvx_div_encode(&back, again);
	assert_memory_equal(rec, again, sizeof(rec));
}

static void test_div_text(void **state)
{
	struct mvx_div d = a_read();
	char text[MVX_DIV_TEXT];

	(void)state;
	mvx_div_format(&d, text, sizeof(text));
	assert_string_equal(text,
		"mvx: DIVERGENCE in replica 1, process 00000000 (pid 21154), "
		"its syscall #3: read(0x3, 0x420240, 0x10000, 0x0, 0x0, 0x0)\n"
		"mvx:   buffer of arg 1 (out, 1385 bytes in the leader, 1385 "
		"here) at byte offset 1383: leader 0x3000, replica 1 0x3100\n");
	d = (struct mvx_div){ .what = MVX_DIV_END, .replica = 2,
			      .leader = (uint64_t)MVX_END_EXITED << 32,
			      .mine = (uint64_t)MVX_END_SIGNALED << 32 | 9 };
	mvx_div_format(&d, text, sizeof(text));
	assert_non_null(strstr(text, "leader exited with status 0, replica 2 "
				     "killed by signal 9"));
	d = (struct mvx_div){ .what = MVX_DIV_RESULT, .replica = 1, .nr = 8,
			      .leader = 5, .mine = 7 };
	mvx_div_format(&d, text, sizeof(text));
	assert_non_null(strstr(text, "lseek("));
	assert_non_null(strstr(text, "result: leader 0x5, replica 1 0x7"));
	d = (struct mvx_div){ .what = MVX_DIV_SIGNAL, .replica = 1, .nr = 56,
			      .leader = 17 };
	mvx_div_format(&d, text, sizeof(text));
	assert_non_null(strstr(text, "clone("));
	assert_non_null(strstr(text, "a signal before the syscall: leader "
				     "took signal 17, replica 1 has it "
				     "blocked"));
}

/* Every field a kernel could set out of bounds is refused, and the
 * record then reads as all zero. */
static void test_div_refused(void **state)
{
	static const struct { unsigned at; uint8_t v; } bad[] = {
		{ 14, 0 }, { 14, MVX_DIV_WHAT_MAX + 1 }, { 15, 6 },
		{ 16, 0 }, { 16, WINDOW_MAX_PARTITIONS }, { 17, 3 },
		{ 18, MVX_DIV_SHOW + 1 }, { 19, MVX_DIV_SHOW + 1 },
		{ 100, 1 }, { 103, 1 },
	};
	struct mvx_div d = a_read(), back;
	struct mvx_div zero;
	unsigned char rec[MVX_DIV_SIZE];

	(void)state;
	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mvx_div_encode(&d, rec);
		rec[bad[i].at] = bad[i].v;
		assert_int_equal(mvx_div_decode(rec, &back), MVX_ERANGE);
		assert_memory_equal(&back, &zero, sizeof(back));
	}
	/* Bytes shown beyond the buffer's end. */
	d.offset = 1384;
	mvx_div_encode(&d, rec);
	assert_int_equal(mvx_div_decode(rec, &back), MVX_ERANGE);
	/* A scalar difference carrying buffer fields. */
	d = a_read();
	d.what = MVX_DIV_RESULT;
	mvx_div_encode(&d, rec);
	assert_int_equal(mvx_div_decode(rec, &back), MVX_ERANGE);
}

/* The table names every syscall the header of this machine defines. */
static void test_syscall_names(void **state)
{
	FILE *f = fopen("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "r");
	char line[256], name[64], buf[32];
	unsigned nr, seen = 0;

	(void)state;
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "#define __NR_%63s %u", name, &nr) == 2) {
			assert_string_equal(mvx_syscall_name(nr, buf,
							     sizeof(buf)), name);
			seen++;
		}
	fclose(f);
	assert_true(seen > 300);
	assert_string_equal(mvx_syscall_name(MVX_NR_TSC, buf, sizeof(buf)),
			    "rdtsc");
	assert_string_equal(mvx_syscall_name(1000, buf, sizeof(buf)),
			    "syscall_1000");
}

static void test_open_roundtrip(void **state)
{
	static struct mvx_open o, back;
	static unsigned char buf[WINDOW_MSG_MAX];
	char *argv[] = { "sh", "-c", "echo 'a b'", NULL };
	char *envp[] = { "PATH=/bin", "A=", NULL };
	char *av[4], *ev[3];
	const char *cwd;
	size_t len;

	(void)state;
	assert_int_equal(mvx_open_build(&o, 0x1234, MVX_OPEN_STRICT, "/tmp",
					argv, envp), 0);
	assert_int_equal(mvx_open_encode(&o, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, MVX_OPEN_FIXED + 5 + 3 + 3 + 11 + 10 + 3);
	assert_int_equal(mvx_open_decode(buf, len, &back), 0);
	mvx_open_split(&back, &cwd, av, ev);
	assert_string_equal(cwd, "/tmp");
	assert_string_equal(av[2], "echo 'a b'");
	assert_null(av[3]);
	assert_string_equal(ev[1], "A=");
	assert_null(ev[2]);
	assert_int_equal(back.flags, MVX_OPEN_STRICT);
	/* One string fewer than the counts say; a relative cwd; a bad flag;
	 * one byte short. */
	buf[8] = 4;
	assert_int_equal(mvx_open_decode(buf, len, &back), MVX_ERANGE);
	buf[8] = 3;
	buf[MVX_OPEN_FIXED] = 't';
	assert_int_equal(mvx_open_decode(buf, len, &back), MVX_ERANGE);
	buf[MVX_OPEN_FIXED] = '/';
	buf[4] = 4;	/* no such flag */
	assert_int_equal(mvx_open_decode(buf, len, &back), MVX_ERANGE);
	buf[4] = 1;
	assert_int_equal(mvx_open_decode(buf, len - 1, &back), MVX_ELEN);
	assert_int_equal(mvx_open_build(&o, 0x1234, 0, "rel", argv, envp),
			 MVX_ERANGE);
}

static void test_hello(void **state)
{
	struct mvx_hello h = { .session = 9, .status = 2 }, back;
	unsigned char buf[8 + MVX_REASON_MAX];
	size_t len;

	(void)state;
	strcpy(h.reason, "no directory /x here");
	assert_int_equal(mvx_hello_encode(&h, buf, sizeof(buf), &len), 0);
	assert_int_equal(mvx_hello_decode(buf, len, &back), 0);
	assert_string_equal(back.reason, h.reason);
	assert_int_equal(back.status, 2);
	buf[10] = '\n';		/* not printable */
	assert_int_equal(mvx_hello_decode(buf, len, &back), MVX_ERANGE);
	buf[10] = 'd';
	buf[len - 1] = 'x';	/* unterminated */
	assert_int_equal(mvx_hello_decode(buf, len, &back), MVX_ERANGE);
}

/* The slot: a record kept and counted; a copy taken whole. */
static void test_window_slot(void **state)
{
	struct fixture *fx = *state;
	struct mvx_div d = a_read(), back;
	unsigned char rec[MVX_DIV_SIZE], got[MVX_DIV_SIZE];
	uint32_t runs, divs, members;

	mvx_div_encode(&d, rec);
	assert_int_equal(window_mvx_follow(&fx->w, 1, 0xabc), 0);
	assert_int_equal(window_mvx_following(&fx->w, 1), 0xabc);
	assert_int_equal(window_mvx_note(&fx->w, 1, rec), 0);
	window_mvx_counters(&fx->w, 1, &runs, &divs);
	assert_int_equal(runs, 1);
	assert_int_equal(divs, 1);
	assert_int_equal(window_mvx_last(&fx->w, 1, got), 0);
	assert_int_equal(mvx_div_decode(got, &back), 0);
	mvx_div_encode(&back, got);
	assert_memory_equal(got, rec, sizeof(rec));
	assert_int_equal(window_mvx_follow(&fx->w, 1, 0), 0);
	window_mvx_counters(&fx->w, 1, &runs, &divs);
	assert_int_equal(runs, 1);
	assert_int_equal(window_mvx_lead(&fx->w, 0, 0x55, 2), 0);
	assert_int_equal(window_mvx_session(&fx->w, 0, &members), 0x55);
	assert_int_equal(members, 2);
	assert_int_equal(window_mvx_session(&fx->w, 9, &members), 0);
	assert_int_equal(window_mvx_last(&fx->w, 9, got), WINDOW_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_div_bytes),
		cmocka_unit_test(test_div_text),
		cmocka_unit_test(test_div_refused),
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_open_roundtrip),
		cmocka_unit_test(test_hello),
		T(test_window_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

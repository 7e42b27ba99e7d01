/* Unit tests of rep_lines: what normalisation drops (CR, escape sequences,
 * control bytes), what a line's digest and text are, line numbers, flush,
 * and that a stream cut into feeds anywhere gives the same lines as in one
 * piece. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "rep_lines.h"

#define MAX_LINES 64

struct got {
	uint32_t n;
	uint32_t digest[MAX_LINES];
	char text[MAX_LINES][REP_TEXT_MAX];
};

static void collect(void *ctx, uint32_t no, uint32_t digest, const char *text)
{
	struct got *g = ctx;

	assert_int_equal(no, g->n + 1);
	assert_true(g->n < MAX_LINES);
	assert_true(strlen(text) < REP_TEXT_MAX);
	g->digest[g->n] = digest;
	strcpy(g->text[g->n], text);
	g->n++;
}

static struct got *new_got(void)
{
	struct got *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	return g;
}

/* LEN bytes of S in one feed, then a flush. */
static struct got *lines_of(const char *s, size_t len)
{
	struct got *g = new_got();
	struct rep_lines l;

	rep_lines_init(&l);
	rep_lines_feed(&l, s, len, collect, g);
	rep_lines_flush(&l, collect, g);
	assert_int_equal(l.count, g->n);
	return g;
}

#define LINES(s) lines_of(s, sizeof(s) - 1)
#define FEED(l, s, fn, g) rep_lines_feed(l, s, sizeof(s) - 1, fn, g)

static uint32_t crc_of(const char *s)
{
	return crc32_ieee(0, s, strlen(s));
}

/* One line, its text and digest those of WANT. */
static void assert_one_line(struct got *g, const char *want)
{
	assert_int_equal(g->n, 1);
	assert_string_equal(g->text[0], want);
	assert_int_equal(g->digest[0], crc_of(want));
	free(g);
}

static void test_crlf(void **state)
{
	struct got *a = LINES("a\r\nb\r\n"), *b = LINES("a\nb\n");

	(void)state;
	assert_int_equal(a->n, 2);
	assert_memory_equal(a, b, sizeof(*a));
	assert_string_equal(a->text[0], "a");
	assert_string_equal(a->text[1], "b");
	assert_int_equal(a->digest[0], crc_of("a"));
	assert_int_equal(a->digest[1], crc_of("b"));
	free(a);
	free(b);
	assert_one_line(LINES("hello\r\r\n"), "hello");
	assert_one_line(LINES("a\rb\n"), "ab");
}

static void test_escapes(void **state)
{
	(void)state;
	/* busybox's prompt asks for the cursor position. */
	assert_one_line(LINES("\033[6n~ # ls\r\n"), "~ # ls");
	assert_one_line(LINES("\033[1;32mgreen\033[0m\n"), "green");
	assert_one_line(LINES("\033[?2004hx\033[K\033[2J\033[H\n"), "x");
	assert_one_line(LINES("a\033[ qb\n"), "ab");	/* intermediate */
	/* OSC (window title), ended by BEL or by ESC \. */
	assert_one_line(LINES("\033]0;user@host: ~\007~ # \n"), "~ # ");
	assert_one_line(LINES("\033]2;title\033\\x\n"), "x");
	assert_one_line(LINES("\033]8;;http://a.b/\033\\link\033]8;;\033\\\n"),
			"link");
	/* Other two-byte sequences: the byte after ESC goes with it. */
	assert_one_line(LINES("\0337a\0338b\033=c\033Md\n"), "abcd");
	/* ESC starts a new sequence even right after ESC. */
	assert_one_line(LINES("\033\033[1mx\n"), "x");
}

static void test_controls(void **state)
{
	(void)state;
	assert_one_line(LINES("a\bb\x01" "c\x7f\td\x1f\x07\f\v\x00" "e\n"),
			"abc\tde");
	/* Bytes from 0x80 on are text (UTF-8). */
	assert_one_line(LINES("caf\xc3\xa9\n"), "caf\xc3\xa9");
	assert_one_line(LINES(" \t~\n"), " \t~");
}

/* Beyond the header's rules: a cut-off sequence hides at most the rest of
 * its line. */
static void test_unfinished_sequences(void **state)
{
	struct got *g;

	(void)state;
	g = LINES("ab\033[12\ncd\n");
	assert_int_equal(g->n, 2);
	assert_string_equal(g->text[0], "ab");
	assert_string_equal(g->text[1], "cd");
	free(g);
	g = LINES("\033]0;no end\nnext\n\033\nlast\n");
	assert_int_equal(g->n, 4);
	assert_string_equal(g->text[0], "");
	assert_string_equal(g->text[1], "next");
	assert_string_equal(g->text[2], "");
	assert_string_equal(g->text[3], "last");
	free(g);
	/* ESC starts a new sequence, inside a CSI or an OSC too. */
	assert_one_line(LINES("\033[12\033[1mx\n"), "x");
	assert_one_line(LINES("\033]0;t\033[1my\n"), "y");
}

static void test_numbering_and_empty_lines(void **state)
{
	struct got *g = new_got();
	struct rep_lines l;

	(void)state;
	rep_lines_init(&l);
	FEED(&l, "one\n\n\033[6n\r\nfour\n", collect, g);
	assert_int_equal(g->n, 4);
	assert_int_equal(l.count, 4);
	assert_string_equal(g->text[1], "");
	assert_int_equal(g->digest[1], 0);	/* CRC-32 of nothing */
	assert_int_equal(g->digest[2], 0);
	assert_string_equal(g->text[3], "four");
	FEED(&l, "five\n", collect, g);
	assert_int_equal(g->n, 5);
	assert_int_equal(l.count, 5);
	/* Without a callback the lines still count. */
	FEED(&l, "six\nseven\n", NULL, NULL);
	assert_int_equal(l.count, 7);
	g->n = 7;
	FEED(&l, "eight\n", collect, g);
	assert_string_equal(g->text[7], "eight");
	free(g);
}

static void test_flush(void **state)
{
	struct got *g = new_got();
	struct rep_lines l;

	(void)state;
	rep_lines_init(&l);
	rep_lines_flush(&l, collect, g);
	assert_int_equal(g->n, 0);
	FEED(&l, "a\n~ # ", collect, g);
	assert_int_equal(g->n, 1);
	rep_lines_flush(&l, collect, g);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->text[1], "~ # ");
	assert_int_equal(g->digest[1], crc_of("~ # "));
	rep_lines_flush(&l, collect, g);
	assert_int_equal(g->n, 2);

	/* Nothing but escapes and CRs is not a line. */
	FEED(&l, "\033[6n\r\033]0;t\007", collect, g);
	rep_lines_flush(&l, collect, g);
	assert_int_equal(g->n, 2);

	/* A flush ends a sequence in progress too. */
	FEED(&l, "ab\033[", collect, g);
	rep_lines_flush(&l, collect, g);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->text[2], "ab");
	FEED(&l, "1mcd\n", collect, g);
	assert_int_equal(g->n, 4);
	assert_string_equal(g->text[3], "1mcd");
	assert_int_equal(l.count, 4);
	free(g);
}

/* The text is cut, the digest covers the whole normalised line. */
static void test_long_line(void **state)
{
	char in[3000], norm[3000];
	size_t n = 0, k = 0;
	struct got *g;

	(void)state;
	for (int i = 0; i < 900; i++) {
		norm[k++] = in[n++] = (char)('a' + i % 26);
		if (i % 100 == 50) {
			memcpy(in + n, "\033[0m\r", 5);
			n += 5;
		}
	}
	in[n++] = '\n';
	norm[k] = '\0';
	g = lines_of(in, n);
	assert_int_equal(g->n, 1);
	assert_int_equal(strlen(g->text[0]), REP_TEXT_MAX - 1);
	assert_memory_equal(g->text[0], norm, REP_TEXT_MAX - 1);
	assert_int_equal(g->digest[0], crc32_ieee(0, norm, k));
	free(g);

	/* Exactly REP_TEXT_MAX - 1 bytes: not cut. */
	memset(in, 'x', REP_TEXT_MAX - 1);
	in[REP_TEXT_MAX - 1] = '\n';
	g = lines_of(in, REP_TEXT_MAX);
	assert_int_equal(strlen(g->text[0]), REP_TEXT_MAX - 1);
	assert_int_equal(g->digest[0], crc32_ieee(0, in, REP_TEXT_MAX - 1));
	free(g);
}

/* A stream with every kind of byte the parser cares about. */
static const char stream[] =
	"\033[6n~ # ls -l\r\n"
	"\033[1;34mdir\033[0m  file\tx\r\n"
	"\033]0;root@p1: ~\007\033]2;t\033\\title\r\n"
	"\0337a\0338\x01\x7f" "b\r\n"
	"\r\n"
	"caf\xc3\xa9 \033[12\n"
	"\033]8;;no end\n"
	"tail \033[";

static void test_split_feeds(void **state)
{
	const size_t len = sizeof(stream) - 1;
	struct got *whole = lines_of(stream, len), *g;
	struct rep_lines l;

	(void)state;
	assert_int_equal(whole->n, 8);
	assert_string_equal(whole->text[0], "~ # ls -l");
	assert_string_equal(whole->text[1], "dir  file\tx");
	assert_string_equal(whole->text[2], "title");
	assert_string_equal(whole->text[3], "ab");
	assert_string_equal(whole->text[5], "caf\xc3\xa9 ");
	assert_string_equal(whole->text[7], "tail ");
	for (size_t cut = 0; cut <= len; cut++) {
		g = new_got();
		rep_lines_init(&l);
		rep_lines_feed(&l, stream, cut, collect, g);
		rep_lines_feed(&l, stream + cut, len - cut, collect, g);
		rep_lines_flush(&l, collect, g);
		assert_memory_equal(g, whole, sizeof(*g));
		free(g);
	}
	g = new_got();
	rep_lines_init(&l);
	for (size_t i = 0; i < len; i++)
		rep_lines_feed(&l, stream + i, 1, collect, g);
	rep_lines_feed(&l, stream, 0, collect, g);
	rep_lines_flush(&l, collect, g);
	assert_memory_equal(g, whole, sizeof(*g));
	free(g);
	free(whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_unfinished_sequences),
		cmocka_unit_test(test_numbering_and_empty_lines),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_split_feeds),
	};

	return cmocka_run_group_tests_name("rep_lines", tests, NULL, NULL);
}

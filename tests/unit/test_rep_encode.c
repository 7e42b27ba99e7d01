/* Unit tests of rep_msg_encode() (rep_proto.h): what it refuses (session
 * 0, unknown types, counts and lengths out of bounds, a buffer too small)
 * and what it mends (texts cut to their field, bytes a peer would refuse
 * replaced), so that what repd sends is always what a peer accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rep_proto.h"
#include "rep_test.h"

static void test_encode_refusals(void **state)
{
	unsigned char buf[REP_MSG_MAX];
	struct rep_msg *m = rep_test_msg(0x0100, 1);
	size_t len = 99;

	(void)state;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ETYPE);
	assert_int_equal(len, 0);
	m->type = REP_MSG_CLOSE;
	m->session = 0;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ESESSION);

	m->session = 1;
	m->type = REP_MSG_INPUT;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);
	m->u.input.len = REP_INPUT_MAX + 1;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);

	memset(&m->u, 0, sizeof(m->u));
	m->type = REP_MSG_DIGESTS;
	m->u.digests.first = 1;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);
	m->u.digests.count = REP_DIGESTS_MAX + 1;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);
	m->u.digests.count = 2;
	m->u.digests.first = 0;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);
	m->u.digests.first = UINT32_MAX;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);

	memset(&m->u, 0, sizeof(m->u));
	m->type = REP_MSG_LINE_REQ;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);
	m->type = REP_MSG_LINE;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ERANGE);

	/* A cwd the peer would refuse is not sent: another path would be a
	 * wrong one. */
	m->type = REP_MSG_OPEN;
	strcpy(m->u.open.cwd, "/tmp/a\tb");
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ETEXT);
	strcpy(m->u.open.cwd, "/tmp/caf\xc3\xa9");
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_ETEXT);
	assert_int_equal(len, 0);
	free(m);
}

/* Texts only shown in reports go out printable: what is not is '?'. */
static void test_encode_sanitises(void **state)
{
	unsigned char buf[64];
	struct rep_msg *m = rep_test_msg(REP_MSG_LINE, 1), *back = rep_test_msg(0, 0);
	size_t len;

	(void)state;
	m->u.line.line = 1;
	strcpy(m->u.line.text, "caf\xc3\xa9\t\x1b[0m\x7f!");
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, 8 + 12 + 1);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_string_equal(back->u.line.text, "caf??\t?[0m?!");

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_READY;
	m->session = 1;
	m->u.ready.status = 2;
	strcpy(m->u.ready.reason, "bell\a\ttab\n");
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_string_equal(back->u.ready.reason, "bell?\ttab?");
	assert_int_equal(back->u.ready.status, 2);
	free(back);
	free(m);
}

static void test_encode_space(void **state)
{
	unsigned char buf[REP_MSG_MAX];
	struct rep_msg *m = rep_test_msg(REP_MSG_LINE, 1);
	size_t len;

	(void)state;
	m->u.line.line = 1;
	strcpy(m->u.line.text, "hello");
	assert_int_equal(rep_msg_encode(m, buf, 8 + 5, &len), REP_ESPACE);
	assert_int_equal(len, 0);
	assert_int_equal(rep_msg_encode(m, NULL, 0, &len), REP_ESPACE);
	assert_int_equal(rep_msg_encode(m, buf, 8 + 6, &len), REP_OK);
	assert_int_equal(len, 8 + 6);

	memset(&m->u, 0, sizeof(m->u));
	m->type = REP_MSG_DIGESTS;
	m->u.digests.first = 1;
	m->u.digests.count = REP_DIGESTS_MAX;
	assert_int_equal(rep_msg_encode(m, buf, REP_MSG_MAX - 1, &len),
			 REP_ESPACE);
	assert_int_equal(rep_msg_encode(m, buf, REP_MSG_MAX, &len), REP_OK);
	m->type = REP_MSG_CLOSE;
	assert_int_equal(rep_msg_encode(m, buf, 7, &len), REP_ESPACE);
	assert_int_equal(rep_msg_encode(m, buf, 8, &len), REP_OK);
	free(m);
}

/* A text filling its whole field, unterminated, is cut to the field less
 * one byte and sent with its NUL; whatever follows a NUL is not sent. */
static void test_encode_cuts(void **state)
{
	static unsigned char buf[REP_MSG_MAX];
	struct rep_msg *m = rep_test_msg(REP_MSG_OPEN, 1), *back = rep_test_msg(0, 0);
	size_t len;

	(void)state;
	memset(m->u.open.cwd, 'p', sizeof(m->u.open.cwd));
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, 12 + REP_CWD_MAX);
	assert_int_equal(buf[len - 1], 0);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_int_equal(strlen(back->u.open.cwd), REP_CWD_MAX - 1);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_READY;
	m->session = 1;
	memset(m->u.ready.reason, 'r', sizeof(m->u.ready.reason));
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, 8 + REP_TEXT_MAX);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_int_equal(strlen(back->u.ready.reason), REP_TEXT_MAX - 1);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_LINE;
	m->session = 1;
	m->u.line.line = 2;
	memset(m->u.line.text, 0x01, sizeof(m->u.line.text));
	memcpy(m->u.line.text, "abc", 4);
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, 8 + 4);
	memset(m->u.line.text, 'l', sizeof(m->u.line.text));
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, 8 + REP_TEXT_MAX);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_int_equal(strlen(back->u.line.text), REP_TEXT_MAX - 1);
	assert_int_equal(back->u.line.line, 2);
	free(back);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_encode_space),
		cmocka_unit_test(test_encode_sanitises),
		cmocka_unit_test(test_encode_cuts),
	};

	return cmocka_run_group_tests_name("rep_encode", tests, NULL, NULL);
}

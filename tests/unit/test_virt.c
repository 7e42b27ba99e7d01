/* Unit tests: the pure parts of virt (domain names, the domain XML from
 * vm/domain.xml, the serial pty in live XML, QEMU's user in the host
 * capabilities).  No libvirtd needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/util.h"
#include "machine/virt.h"

static void test_name_run_id(void **state)
{
	char run_id[32];

	(void)state;
	assert_true(virt_name_run_id("duplex-r1234-00af-p0", run_id,
				     sizeof(run_id)));
	assert_string_equal(run_id, "r1234-00af");
	assert_true(virt_name_run_id("duplex-r7-a-p12", run_id, sizeof(run_id)));
	assert_string_equal(run_id, "r7-a");
	assert_true(virt_name_run_id("duplex-r4194304-DEADbeef-p1", run_id,
				     sizeof(run_id)));
	assert_string_equal(run_id, "r4194304-DEADbeef");
	/* The run id and its NUL exactly fill the buffer. */
	assert_true(virt_name_run_id("duplex-r42-beef-p0", run_id, 9));
	assert_string_equal(run_id, "r42-beef");
}

/* Clean destroys what this accepts: anything not exactly ours is kept. */
static void test_name_run_id_not_ours(void **state)
{
	static const char *const names[] = {
		"", "duplex-", "duplex-r", "other-r12-ab-p0", "duplex-12-ab-p0",
		"duplex-r-ab-p0", "duplex-r12-p0", "duplex-r12--p0",
		"duplex-r12-ab-p", "duplex-r12-ab-p0x", "duplex-r12-xy-p0",
		"duplex-r12-ab-q0", "duplex-r0-ab-p0", "duplex-r-5-ab-p0",
		"duplex-r012-ab-p0", "duplex-r2147483648-ab-p0",
		"duplex-r99999999999999999999999-ab-p0",
		"duplex-r12-ab-p0 ", "xduplex-r12-ab-p0", "duplex-r12-ab",
		"duplex-r12-ab-", "duplex-r12-ab-p-1", "duplex-r1/../x-ab-p0",
	};
	char run_id[32];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (virt_name_run_id(names[i], run_id, sizeof(run_id)))
			fail_msg("'%s' taken for one of ours", names[i]);
	/* A run id that does not fit the caller's buffer is not ours. */
	assert_false(virt_name_run_id("duplex-r42-beef-p0", run_id, 8));
}

static char *template(void)
{
	char *tmpl = read_file(DUPLEX_SOURCE_ROOT "/vm/domain.xml", NULL);

	assert_non_null(tmpl);
	return tmpl;
}

static const struct virt_domain_spec spec = {
	.name = "duplex-r42-beef-p1",
	.kvm = false,
	.memory_mib = 512,
	.vcpus = 2,
	.kernel = "/run/duplex/r42-beef/p1-bzImage",
	.initrd = "/run/duplex/r42-beef/p1-initramfs.cpio",
	.cmdline = "console=ttyS0,115200 panic=-1 x=\"</cmdline>\"&y='1'",
	.serial_log = "/work/results/r42-beef/serial1.log",
	.kernel_log = "/work/results/r42-beef/kernel1.log",
	.bridge = "dx42-beef",
	.mac = "52:54:00:3c:9a:01",
	.shmem_name = "duplex-r42-beef",
	.shmem_mib = 8,
};

static void assert_has(const char *xml, const char *text)
{
	if (!strstr(xml, text))
		fail_msg("domain XML lacks \"%s\"", text);
}

static void test_domain_xml(void **state)
{
	char *tmpl = template();
	char *xml = virt_domain_xml(tmpl, "vm/domain.xml", &spec);

	(void)state;
	assert_non_null(xml);
	assert_has(xml, "<domain type='qemu'>");
	assert_has(xml, "<name>duplex-r42-beef-p1</name>");
	assert_has(xml, "<memory unit='MiB'>512</memory>");
	assert_has(xml, "<vcpu>2</vcpu>");
	assert_has(xml, "<kernel>/run/duplex/r42-beef/p1-bzImage</kernel>");
	assert_has(xml, "<initrd>/run/duplex/r42-beef/p1-initramfs.cpio</initrd>");
	assert_has(xml, "<cmdline>console=ttyS0,115200 panic=-1 "
		   "x=&quot;&lt;/cmdline&gt;&quot;&amp;y=&#39;1&#39;</cmdline>");
	assert_has(xml, "<serial type='pty'>\n"
		   "      <log file='/work/results/r42-beef/serial1.log' append='off'/>\n"
		   "      <target port='0'/>");
	/* The kernel channel: hvc0, its own transcript. */
	assert_has(xml, "<console type='pty'>\n"
		   "      <log file='/work/results/r42-beef/kernel1.log' append='off'/>\n"
		   "      <target type='virtio' port='0'/>");
	assert_has(xml, "<on_reboot>destroy</on_reboot>");
	assert_has(xml, "<memballoon model='none'/>");
	assert_has(xml, "<interface type='bridge'>\n"
		   "      <source bridge='dx42-beef'/>\n"
		   "      <mac address='52:54:00:3c:9a:01'/>\n"
		   "      <model type='virtio'/>");
	assert_has(xml, "<shmem name='duplex-r42-beef'>\n"
		   "      <model type='ivshmem-plain'/>\n"
		   "      <size unit='M'>8</size>\n"
		   "    </shmem>");
	/* QEMU's default CPU model, no display (outside the comment). */
	assert_null(strstr(strstr(xml, "<domain "), "<cpu"));
	assert_null(strstr(strstr(xml, "<domain "), "<graphics"));
	assert_null(strchr(xml, '@'));
	free(xml);
	free(tmpl);
}

static void test_domain_xml_kvm(void **state)
{
	struct virt_domain_spec kvm = spec;
	char *tmpl = template();
	char *xml;

	(void)state;
	kvm.kvm = true;
	xml = virt_domain_xml(tmpl, "vm/domain.xml", &kvm);
	assert_non_null(xml);
	assert_has(xml, "<domain type='kvm'>");
	free(xml);
	free(tmpl);
}

/* libvirt's own schema accepts the expansion (when its validator is
 * installed: libvirt-clients). */
static void test_domain_xml_validates(void **state)
{
	char path[] = "/tmp/duplex-test-domain-XXXXXX";
	const char *argv[] = { "virt-xml-validate", path, "domain", NULL };
	char *tmpl = template();
	char *xml = virt_domain_xml(tmpl, "vm/domain.xml", &spec);
	int fd;

	(void)state;
	if (access("/usr/bin/virt-xml-validate", X_OK)) {
		free(xml);
		free(tmpl);
		skip();
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	assert_int_equal(run_command(argv, NULL, fd), 0);
	close(fd);
	unlink(path);
	free(xml);
	free(tmpl);
}

/* The shape of libvirt's live XML for a pty serial port. */
static const char live_xml[] =
	"<domain type='qemu' id='3'>\n"
	"  <devices>\n"
	"    <serial type='pty'>\n"
	"      <source path='/dev/pts/7'/>\n"
	"      <log file='/x/serial0.log' append='off'/>\n"
	"      <target type='isa-serial' port='0'>\n"
	"        <model name='isa-serial'/>\n"
	"      </target>\n"
	"      <alias name='serial0'/>\n"
	"    </serial>\n"
	"    <console type='pty' tty='/dev/pts/7'>\n"
	"      <source path='/dev/pts/7'/>\n"
	"      <target type='serial' port='0'/>\n"
	"    </console>\n"
	"    <console type='pty'>\n"
	"      <source path='/dev/pts/8'/>\n"
	"      <log file='/x/kernel0.log' append='off'/>\n"
	"      <target type='virtio' port='1'/>\n"
	"    </console>\n"
	"  </devices>\n"
	"</domain>\n";

static void test_serial_pty(void **state)
{
	char *pty = virt_pty_from_xml(live_xml);

	(void)state;
	assert_non_null(pty);
	assert_string_equal(pty, "/dev/pts/7");
	free(pty);
}

static void assert_no_pty(const char *xml)
{
	char *pty = virt_pty_from_xml(xml);

	if (pty)
		fail_msg("found pty '%s' in '%s'", pty, xml);
}

static void test_serial_pty_malformed(void **state)
{
	(void)state;
	/* Not started yet: no source. */
	assert_no_pty("<serial type='pty'><target port='0'/></serial>"
		      "<console type='pty'><source path='/dev/pts/3'/></console>");
	/* No end of the element, unterminated value, not a pts path. */
	assert_no_pty("<serial type='pty'><source path='/dev/pts/3'/>");
	assert_no_pty("<serial type='pty'><source path='/dev/pts/3</serial>");
	assert_no_pty("<serial type='pty'><source path='/etc/passwd'/></serial>");
	assert_no_pty("<serial type='pty'><source path='/dev/pts/'/></serial>");
	assert_no_pty("<serial type='pty'><source path='/dev/pts/1/../x'/>"
		      "</serial>");
	assert_no_pty("<serial type='pty'><source xpath='/dev/pts/1'/></serial>");
	assert_no_pty("<serial type='file'><source path='/dev/pts/1'/></serial>");
	assert_no_pty("");
}

/* The DAC part of `virsh capabilities` on Debian. */
static const char caps_xml[] =
	"<capabilities>\n  <host>\n"
	"    <secmodel>\n      <model>none</model>\n      <doi>0</doi>\n"
	"    </secmodel>\n"
	"    <secmodel>\n      <model>dac</model>\n      <doi>0</doi>\n"
	"      <baselabel type='kvm'>+64055:+107</baselabel>\n"
	"      <baselabel type='qemu'>+64055:+64055</baselabel>\n"
	"    </secmodel>\n  </host>\n</capabilities>\n";

static void test_qemu_ids(void **state)
{
	uid_t uid = 0;
	gid_t gid = 0;

	(void)state;
	assert_int_equal(virt_qemu_ids_from_caps(caps_xml, false, &uid, &gid), 1);
	assert_int_equal(uid, 64055);
	assert_int_equal(gid, 64055);
	assert_int_equal(virt_qemu_ids_from_caps(caps_xml, true, &uid, &gid), 1);
	assert_int_equal(gid, 107);
}

static void test_qemu_ids_unknown(void **state)
{
	uid_t uid = 1;
	gid_t gid = 1;

	(void)state;
	/* No DAC model: libvirt leaves QEMU's credentials alone. */
	assert_int_equal(virt_qemu_ids_from_caps("<capabilities><secmodel>"
		"<model>none</model></secmodel></capabilities>", false, &uid,
		&gid), 0);
	/* DAC without a usable label for the type. */
	assert_int_equal(virt_qemu_ids_from_caps("<secmodel><model>dac</model>"
		"<baselabel type='kvm'>+1:+2</baselabel></secmodel>", false,
		&uid, &gid), -1);
	assert_int_equal(virt_qemu_ids_from_caps("<secmodel><model>dac</model>"
		"</secmodel><baselabel type='qemu'>+1:+2</baselabel>", false,
		&uid, &gid), -1);
	assert_int_equal(virt_qemu_ids_from_caps("<secmodel><model>dac</model>"
		"<baselabel type='qemu'>qemu:qemu</baselabel></secmodel>",
		false, &uid, &gid), -1);
	assert_int_equal(virt_qemu_ids_from_caps("<secmodel><model>dac</model>"
		"<baselabel type='qemu'>+1:+</baselabel></secmodel>", false,
		&uid, &gid), -1);
	assert_int_equal(virt_qemu_ids_from_caps("<secmodel><model>dac</model>"
		"<baselabel type='qemu'>+99999999999:+1</baselabel></secmodel>",
		false, &uid, &gid), -1);
	assert_int_equal(uid, 1);
	assert_int_equal(gid, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_run_id),
		cmocka_unit_test(test_name_run_id_not_ours),
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_domain_xml_kvm),
		cmocka_unit_test(test_domain_xml_validates),
		cmocka_unit_test(test_serial_pty),
		cmocka_unit_test(test_serial_pty_malformed),
		cmocka_unit_test(test_qemu_ids),
		cmocka_unit_test(test_qemu_ids_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

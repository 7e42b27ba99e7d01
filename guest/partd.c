/* partd: the partition's own voice in the window.  Started by init just
 * before the console shell: says this partition is up (the host then marks
 * its slot UP, which is what `repboot` waits for) and keeps a heartbeat so
 * the host and the other partitions can tell a hung kernel from a busy
 * one.  Runs until the partition powers off. */
#include "guest.h"

#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#define HEARTBEAT_MS 100

int main(void)
{
	struct window w;
	int self, err;

	guest_prog = "partd";
	self = guest_partition_self();
	if (self < 0 || guest_window_open(&w) < 0)
		return 1;
	err = window_announce_up(&w, (unsigned)self);
	if (err) {
		guest_error("cannot announce partition %d: %s", self,
			    window_strerror(err));
		return 1;
	}
	for (;;) {
		err = window_heartbeat(&w, (unsigned)self);
		if (err) {
			guest_error("heartbeat of partition %d failed: %s", self,
				    window_strerror(err));
			return 1;
		}
		poll(NULL, 0, HEARTBEAT_MS);
	}
}

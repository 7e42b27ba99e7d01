/* crc32: CRC-32 as in Ethernet, zlib and PNG (IEEE 802.3, reflected,
 * polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF).  The
 * window uses it to detect torn or scribbled ring messages.
 *
 * Chainable like zlib's crc32(): start with 0 and pass the previous result
 * back in, so crc32_ieee(crc32_ieee(0, a, n), b, m) is the CRC of a then b.
 * crc32_ieee(0, "123456789", 9) == 0xCBF43926. */
#ifndef DUPLEX_CRC32_H
#define DUPLEX_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_ieee(uint32_t crc, const void *data, size_t len);

#endif

#ifndef JOURNEY_CRC32C_H
#define JOURNEY_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// Extends a CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) over `length` bytes.
/// Start with crc = 0; the pre- and post-inversion are done inside, so calls chain:
/// crc32c(crc32c(0, a, n), b, m) == crc32c(0, a||b, n+m).
uint32_t journey_crc32c(uint32_t crc, const void *data, size_t length);

/// 1 when the SSE4.2 CRC instruction is used, 0 for the portable table.
int journey_crc32c_hardware(void);

#endif

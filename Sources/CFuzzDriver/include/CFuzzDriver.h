#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry for a program with its own main: parses libFuzzer's
/// options from argv and runs `callback` on every input it generates.
/// In a normal build (no JOURNEY_LIBFUZZER) this file's replayer stands in:
/// it runs `callback` once on each file (or each file of each directory)
/// named in argv, so the same binary replays a corpus without libFuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

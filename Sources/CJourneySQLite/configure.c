#include <sqlite3.h>
#include "journey_sqlite.h"

static int configured = -1;

/// Runs when the program (or a library holding this file) loads: before
/// main, so before any connection opens.
__attribute__((constructor)) static void journey_sqlite_configure(void) {
    configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int journey_sqlite_configured(void) { return configured; }
